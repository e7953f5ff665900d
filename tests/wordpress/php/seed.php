<?php
// Install WordPress and write the corpus (argv[1], JSON from tests/wordpress/corpus.py) into it
// through WordPress's own API. Prints {"ids": {post key: wp_id}, ...} as JSON.
$HARNESS_INSTALLING = true;
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
require_once __DIR__ . '/lib.php';

$corpus = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
mt_srand($corpus['seed']);

/** Run wp_install and set the site options every test relies on. */
function seed_install(array $site): void
{
    $admin = $GLOBALS['corpus']['users'][0];
    load_default_textdomain('fr_FR');   // install as a French site would be: default widgets, category names
    wp_install($site['name'], $admin['login'], $site['admin_email'], true, '', 'harness-password-1', '');
    foreach ([1, 2, 3] as $default_post) {   // "Hello world!", "Sample Page", the privacy-policy draft
        wp_delete_post($default_post, true);
    }
    update_option('blogdescription', $site['description']);
    update_option('timezone_string', $site['timezone']);
    harness_set_locale('fr_FR');
    update_option('comment_moderation', 0);
    update_option('comment_registration', 0);
    update_option('default_ping_status', 'closed');
    update_option('default_pingback_flag', 0);
    update_option('thread_comments', 1);
    update_option('page_comments', 0);
    update_option('blog_public', 1);
    global $wp_rewrite;
    $wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
    flush_rewrite_rules(false);
}

/** Create the users; the first one is the installed administrator. */
function seed_users(array $users): array
{
    $ids = [];
    foreach ($users as $i => $u) {
        $data = [
            'user_login' => $u['login'], 'display_name' => $u['display_name'], 'nickname' => $u['display_name'],
            'user_email' => $u['login'] . '@example.org', 'role' => $u['role'],
            'user_registered' => '2023-01-01 00:00:00', 'user_pass' => 'harness-password-1',
        ];
        if ($i === 0) {
            $data['ID'] = 1;
            $id = wp_update_user(wp_slash($data));
        } else {
            $id = wp_insert_user(wp_slash($data));
        }
        harness_check($id, 'user ' . $u['login']);
        $ids[$u['login']] = $id;
    }
    return $ids;
}

/** Create the categories (parents first) and rename the default one. */
function seed_categories(array $categories, string $default_name): array
{
    wp_update_term((int) get_option('default_category'), 'category',
        wp_slash(['name' => $default_name, 'slug' => sanitize_title($default_name)]));
    $ids = [];
    foreach ($categories as $c) {
        $args = $c['parent'] ? ['parent' => $ids[$c['parent']]] : [];
        $term = wp_insert_term(wp_slash($c['name']), 'category', $args);
        harness_check($term, 'category ' . $c['key']);
        $ids[$c['key']] = $term['term_id'];
    }
    return $ids;
}

/** A deterministic JPEG: coloured bands from the seeded generator and the image key written on it. */
function seed_jpeg(string $key, int $w, int $h): string
{
    $img = imagecreatetruecolor($w, $h);
    for ($band = 0; $band < 6; $band++) {
        $colour = imagecolorallocate($img, mt_rand(30, 220), mt_rand(30, 220), mt_rand(30, 220));
        imagefilledrectangle($img, 0, intdiv($h * $band, 6), $w, intdiv($h * ($band + 1), 6), $colour);
    }
    imagestring($img, 5, 20, 20, $key, imagecolorallocate($img, 255, 255, 255));
    ob_start();
    imagejpeg($img, null, 75);
    return ob_get_clean();
}

/** Upload the images as attachments (with captions as the media library stores them). */
function seed_images(array $images): array
{
    $ids = [];
    foreach ($images as $im) {
        [$w, $h] = $im['size'];
        $upload = wp_upload_bits($im['file'], null, seed_jpeg($im['key'], $w, $h), '2025/06');
        if (!empty($upload['error'])) {
            throw new RuntimeException('upload ' . $im['key'] . ': ' . $upload['error']);
        }
        $id = wp_insert_attachment(wp_slash([
            'post_mime_type' => 'image/jpeg', 'post_title' => pathinfo($im['file'], PATHINFO_FILENAME),
            'post_excerpt' => $im['caption'] ?? '', 'post_content' => '', 'post_status' => 'inherit',
            'post_date' => '2025-06-01 09:00:00', 'post_author' => 1,
        ]), $upload['file'], 0, true);
        harness_check($id, 'image ' . $im['key']);
        wp_update_attachment_metadata($id, wp_generate_attachment_metadata($id, $upload['file']));
        if ($im['alt'] !== '') {
            update_post_meta($id, '_wp_attachment_image_alt', wp_slash($im['alt']));
        }
        $ids[$im['key']] = ['id' => $id, 'url' => wp_get_attachment_url($id)];
    }
    return $ids;
}

/** Replace {{img:KEY}} and {{imgid:KEY}} in post content. */
function seed_fill_images(string $content, array $images): string
{
    return preg_replace_callback('/\{\{(img|imgid):([a-z0-9-]+)\}\}/', function ($m) use ($images) {
        return $m[1] === 'img' ? $images[$m[2]]['url'] : (string) $images[$m[2]]['id'];
    }, $content);
}

/** Insert one post with its terms, featured image, comments and status. */
function seed_post(array $p, array $users, array $cats, array $images): int
{
    $data = [
        'post_title' => $p['title'], 'post_content' => seed_fill_images($p['content'], $images),
        'post_excerpt' => $p['excerpt'], 'post_status' => $p['status'], 'post_type' => 'post',
        'post_author' => $users[$p['author']], 'post_date' => $p['date'],
        'post_date_gmt' => get_gmt_from_date($p['date']), 'post_password' => $p['password'],
        'comment_status' => 'open', 'ping_status' => 'closed', 'post_name' => $p['slug'],
        'post_category' => array_map(fn($k) => $cats[$k], $p['categories']), 'tags_input' => $p['tags'],
    ];
    $id = wp_insert_post(wp_slash($data), true);
    harness_check($id, 'post ' . $p['key']);
    if ($p['lead_image']) {   // seeding annotation: where the lead image's caption is, which part is the credit
        update_post_meta($id, '_harness_lead_image', wp_slash(wp_json_encode($p['lead_image'], JSON_UNESCAPED_UNICODE)));
    }
    if ($p['featured']) {
        set_post_thumbnail($id, $images[$p['featured']]['id']);
    }
    if ($p['sticky']) {
        stick_post($id);
    }
    seed_comments($id, $p['comments']);
    if ($p['comment_status'] !== 'open' || $p['modified']) {
        harness_update_post(['ID' => $id, 'comment_status' => $p['comment_status']], $p['modified'] ?? $p['date']);
    }
    if ($p['trash_after_publish']) {
        wp_trash_post($id);
    }
    return $id;
}

/** Insert a post's comments (approved, pending "0", spam, trash), replies after their parents. */
function seed_comments(int $post_id, array $comments): void
{
    $ids = [];
    foreach ($comments as $c) {
        $id = wp_insert_comment(wp_slash([
            'comment_post_ID' => $post_id, 'comment_author' => $c['author'],
            'comment_author_email' => $c['email'], 'comment_author_url' => '',
            'comment_content' => $c['content'], 'comment_date' => $c['date'],
            'comment_date_gmt' => get_gmt_from_date($c['date']), 'comment_approved' => $c['status'],
            'comment_parent' => $c['parent'] ? $ids[$c['parent']] : 0, 'comment_type' => 'comment',
            'comment_author_IP' => '127.0.0.1', 'comment_agent' => 'scraper-harness', 'user_id' => 0,
        ]));
        if (!$id) {
            throw new RuntimeException("comment {$c['key']} on post $post_id was not inserted");
        }
        $ids[$c['key']] = $id;
    }
}

seed_install($corpus['site']);
wp_set_current_user(1);   // an administrator: post HTML (embeds, shortcodes) is stored unfiltered
$users = seed_users($corpus['users']);
$cats = seed_categories($corpus['categories'], $corpus['default_category_name']);
$images = seed_images($corpus['images']);
$ids = [];
foreach ($corpus['posts'] as $p) {
    $ids[$p['key']] = seed_post($p, $users, $cats, $images);
}
switch_theme('twentytwentyone');
harness_out(['ids' => $ids, 'users' => $users, 'categories' => $cats,
             'images' => array_map(fn($i) => $i['id'], $images)]);
