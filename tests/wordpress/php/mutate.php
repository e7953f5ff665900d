<?php
// Edit the seeded site the way life does; argv[1] = JSON {corpus key: wp_id}. Prints what it did, by wp_id.
// Every edit uses fixed dates, so the same mutation always yields the same truth.
require __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/lib.php';

const MUTATION_TIME = '2025-12-01 10:00:00';
$ids = json_decode($argv[1], true, 512, JSON_THROW_ON_ERROR);
if (get_option('harness_mutated')) {
    throw new RuntimeException('the site is already mutated: call reset() before mutate()');
}
wp_set_current_user(1);

/** Insert an approved or pending comment dated at the mutation time. */
function mutate_comment(int $post_id, string $author, string $text, string $status, string $time): int
{
    return harness_check(wp_insert_comment(wp_slash([
        'comment_post_ID' => $post_id, 'comment_author' => $author, 'comment_author_email' => 'mutation@example.org',
        'comment_content' => $text, 'comment_approved' => $status, 'comment_type' => 'comment',
        'comment_date' => $time, 'comment_date_gmt' => get_gmt_from_date($time), 'comment_author_IP' => '127.0.0.1',
    ])), "comment on $post_id");
}

$done = [];
// 1. Retitle (the slug, hence the URL, stays as WordPress keeps it).
harness_update_post(['ID' => $ids['meme-titre-2'], 'post_title' => 'Météo : les orages ont finalement épargné le Sud-Ouest'], MUTATION_TIME);
$done['retitled'] = $ids['meme-titre-2'];
// 2. Edit a body: an update paragraph at the end.
$post = get_post($ids['sport-tour']);
harness_update_post(['ID' => $post->ID, 'post_content' => $post->post_content . "\n\n<!-- wp:paragraph -->\n<p><strong>Mise à jour :</strong> le jury des commissaires a confirmé le classement.</p>\n<!-- /wp:paragraph -->"], MUTATION_TIME);
$done['body_edited'] = $post->ID;
// 3. Two new approved comments.
mutate_comment($ids['un-commentaire'], 'Hélène', 'Enfin une bonne nouvelle pour les usagers.', '1', '2025-12-01 10:05:00');
mutate_comment($ids['un-commentaire'], 'Bruno', 'Il était temps !', '1', '2025-12-01 10:06:00');
$done['comments_added'] = [$ids['un-commentaire'] => 2];
// 4. A pending comment: must change nothing a visitor sees.
mutate_comment($ids['credit-anglais'], 'Anonyme', 'Commentaire en attente de modération.', '0', '2025-12-01 10:07:00');
$done['pending_comment_on'] = $ids['credit-anglais'];
// 5. Move a post to another category.
$politique = get_term_by('name', 'Politique', 'category');
harness_update_post(['ID' => $ids['afrique-elections'], 'post_category' => [$politique->term_id]], MUTATION_TIME);
$done['recategorised'] = $ids['afrique-elections'];
// 6. Trash a post.
harness_check(wp_trash_post($ids['marches-bourse']), 'trash');
$done['trashed'] = $ids['marches-bourse'];
// 7. Publish a new post.
$new = harness_check(wp_insert_post(wp_slash([
    'post_title' => 'Dernière minute : accord trouvé sur le budget', 'post_status' => 'publish',
    'post_content' => "<!-- wp:paragraph -->\n<p>Les députés et les sénateurs sont parvenus à un accord dans la nuit.</p>\n<!-- /wp:paragraph -->",
    'post_date' => '2025-12-01 09:00:00', 'post_date_gmt' => get_gmt_from_date('2025-12-01 09:00:00'),
    'post_author' => 1, 'post_category' => [$politique->term_id], 'tags_input' => ['budget'],
    'comment_status' => 'open', 'ping_status' => 'closed',
]), true), 'new post');
$done['published'] = $new;
// 8. Rename an author: every post of theirs changes author.
$marc = get_user_by('login', 'marc');
harness_check(wp_update_user(wp_slash(['ID' => $marc->ID, 'display_name' => 'Marc Dubois-Lambert'])), 'rename author');
$done['author_renamed'] = ['user_id' => $marc->ID, 'display_name' => 'Marc Dubois-Lambert',
    'posts' => array_map('intval', get_posts(['author' => $marc->ID, 'numberposts' => -1, 'fields' => 'ids',
        'orderby' => 'ID', 'order' => 'ASC']))];
update_option('harness_mutated', 1);
harness_out($done);
