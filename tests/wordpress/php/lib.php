<?php
// Helpers shared by seed.php, truth.php and mutate.php (loaded after bootstrap.php).

/** Stop with a clear message when a WordPress call returned an error or nothing. */
function harness_check($result, string $what)
{
    if (is_wp_error($result)) {
        throw new RuntimeException("$what: " . $result->get_error_message());
    }
    if (!$result) {
        throw new RuntimeException("$what: WordPress returned nothing");
    }
    return $result;
}

/**
 * wp_update_post with a fixed modification time (local, "Y-m-d H:i:s") instead of "now",
 * so the same mutation always yields the same modified_at.
 */
function harness_update_post(array $data, string $modified_local): int
{
    $fix = function ($post_data) use ($modified_local) {
        $post_data['post_modified'] = $modified_local;
        $post_data['post_modified_gmt'] = get_gmt_from_date($modified_local);
        return $post_data;
    };
    add_filter('wp_insert_post_data', $fix, 99);
    $id = wp_update_post(wp_slash($data), true);
    remove_filter('wp_insert_post_data', $fix, 99);
    return harness_check($id, 'update post ' . $data['ID']);
}

/**
 * Make the site speak `$locale` as a site installed in that language would: WPLANG plus the date and
 * time formats the language pack's install sets (WordPress never changes them on a later switch).
 */
function harness_set_locale(string $locale): void
{
    $formats = ['fr_FR' => ['j F Y', 'G\\hi'], 'en_US' => ['F j, Y', 'g:i a']];
    if (!isset($formats[$locale])) {
        throw new RuntimeException("no date formats known for locale $locale");
    }
    update_option('WPLANG', $locale === 'en_US' ? '' : $locale);
    update_option('date_format', $formats[$locale][0]);
    update_option('time_format', $formats[$locale][1]);
}

/** Decode HTML entities (WordPress stores and prints "&amp;", "&#8217;"…) into plain text. */
function harness_decode(string $s): string
{
    return html_entity_decode($s, ENT_QUOTES | ENT_HTML5, 'UTF-8');
}

const HARNESS_BLOCK_TAGS = ['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'figure', 'figcaption',
    'blockquote', 'pre', 'table', 'tr', 'td', 'th', 'br', 'hr', 'section', 'article', 'header', 'footer', 'cite',
    'dl', 'dt', 'dd', 'nav', 'aside', 'iframe'];

/** Parse an HTML fragment into a DOM whose <body> holds the fragment's nodes. */
function harness_dom(string $html): DOMDocument
{
    $dom = new DOMDocument();
    $previous = libxml_use_internal_errors(true);
    $dom->loadHTML('<?xml encoding="utf-8"?><html><body>' . $html . '</body></html>', LIBXML_NONET);
    libxml_clear_errors();
    libxml_use_internal_errors($previous);
    return $dom;
}

/** Text of a DOM node with a line break around every block element (script/style dropped). */
function harness_node_text(DOMNode $node): string
{
    if ($node instanceof DOMText) {
        return $node->nodeValue;
    }
    if (!($node instanceof DOMElement) && !($node instanceof DOMDocument)) {
        return '';
    }
    $tag = $node instanceof DOMElement ? strtolower($node->tagName) : '';
    if (in_array($tag, ['script', 'style', 'noscript', 'template'], true)) {
        return '';
    }
    $out = '';
    foreach ($node->childNodes as $child) {
        $out .= harness_node_text($child);
    }
    return in_array($tag, HARNESS_BLOCK_TAGS, true) ? "\n" . $out . "\n" : $out;
}

/** Rendered HTML as text: one line per block element, whitespace collapsed, blank lines dropped. */
function harness_html_to_text(string $html): string
{
    $dom = harness_dom($html);
    $text = harness_node_text($dom->getElementsByTagName('body')->item(0));
    $lines = array_map(fn($l) => trim(preg_replace('/[ \t\r\f\v\x{00A0}]+/u', ' ', $l)), explode("\n", $text));
    return implode("\n", array_values(array_filter($lines, fn($l) => $l !== '')));
}

/** The element children of the <body> of a parsed fragment. */
function harness_top_elements(DOMDocument $dom): array
{
    $out = [];
    foreach ($dom->getElementsByTagName('body')->item(0)->childNodes as $child) {
        if ($child instanceof DOMElement) {
            $out[] = $child;
        }
    }
    return $out;
}

/** Rendered content of every page of the current post (setup_postdata done), as HTML strings. */
function harness_render_pages(WP_Post $post): array
{
    global $pages, $page, $more, $multipage;
    $GLOBALS['post'] = $post;
    setup_postdata($post);
    $more = 1;
    $html = [];
    for ($n = 1; $n <= count($pages); $n++) {
        $page = $n;
        $html[] = apply_filters('the_content', get_the_content());
    }
    return $html;
}

/**
 * The lead image's caption as WordPress renders it, located by the seeding annotation `where`:
 * "featured" = the featured image's caption; "content" = the caption of the first element of the content;
 * "content-next-line" = the text of the element right after the first element.
 */
function harness_lead_caption(WP_Post $post, ?string $where, string $first_page_html): ?string
{
    $thumb = get_post_thumbnail_id($post);
    if ($where === 'featured' || ($where === null && $thumb)) {
        $caption = $thumb ? wp_get_attachment_caption($thumb) : '';
        return $caption === '' || $caption === false ? null : harness_decode($caption);
    }
    if ($where === null) {
        return null;
    }
    $top = harness_top_elements(harness_dom($first_page_html));
    if ($where === 'content-next-line') {
        return isset($top[1]) ? harness_html_to_text($top[1]->ownerDocument->saveHTML($top[1])) : null;
    }
    foreach (['figcaption', 'p'] as $tag) {
        foreach ($top[0]->getElementsByTagName($tag) as $el) {
            if ($tag === 'figcaption' || str_contains($el->getAttribute('class'), 'wp-caption-text')) {
                return harness_html_to_text($el->ownerDocument->saveHTML($el));
            }
        }
    }
    return null;
}

/** Everything a reader (or a parser) can know about one post, read back from WordPress. */
function harness_post_truth(WP_Post $post): array
{
    $pages_html = harness_render_pages($post);
    $annotation = json_decode(get_post_meta($post->ID, '_harness_lead_image', true) ?: 'null', true);
    $where = $annotation['where'] ?? null;
    $caption = harness_lead_caption($post, $where, $pages_html[0]);
    $credit = $annotation['credit'] ?? null;
    if ($credit !== null && ($caption === null || !str_contains($caption, $credit))) {
        throw new RuntimeException("post {$post->ID}: credit '$credit' is not in the rendered caption '$caption'");
    }
    $thumb = get_post_thumbnail_id($post);
    $author = harness_decode(get_the_author_meta('display_name', $post->post_author));
    $names = fn($terms) => is_array($terms) ? array_map(fn($t) => harness_decode($t->name), $terms) : [];
    $page_texts = array_map('harness_html_to_text', $pages_html);
    return [
        'wp_id' => $post->ID,
        'url' => get_permalink($post),
        'status' => $post->post_status,
        'title' => harness_decode(get_the_title($post)),
        'author' => $author,
        'authors' => [$author],
        'categories' => $names(get_the_category($post->ID)),
        'tags' => $names(get_the_tags($post->ID)),
        'published_at' => get_post_time('c', false, $post),
        'modified_at' => get_post_modified_time('c', false, $post),
        'featured_image' => $thumb ? wp_get_attachment_url($thumb) : null,
        'photo_caption' => $caption,
        'photo_credit' => $credit,
        // Only a hand-written excerpt: a generated one is theme-dependent (TT1 appends "Continue reading…").
        'excerpt' => $post->post_excerpt === '' ? null : harness_text($post->post_excerpt),
        'body_text' => implode("\n", $page_texts),
        'comment_count' => (int) get_comments_number($post),
        'language' => get_bloginfo('language'),
        'site_name' => harness_decode(get_bloginfo('name')),
        // Extras beyond the Post record:
        'page_count' => count($page_texts),
        'body_pages' => count($page_texts) > 1 ? $page_texts : null,
        'sticky' => is_sticky($post->ID),
        'comments_open' => comments_open($post),
    ];
}

/** The whole site's truth: site facts, published posts, and the posts no visitor may see. */
function harness_truth(): array
{
    $all = get_posts(['post_type' => 'post', 'numberposts' => -1, 'orderby' => 'ID', 'order' => 'ASC',
        'post_status' => ['publish', 'draft', 'pending', 'private', 'future', 'trash'], 'suppress_filters' => false]);
    $published = [];
    $unpublished = [];
    foreach ($all as $post) {
        if ($post->post_status === 'publish' && $post->post_password === '') {
            $published[] = harness_post_truth($post);
        } else {
            $unpublished[] = ['wp_id' => $post->ID, 'status' => $post->post_status, 'url' => get_permalink($post),
                'title' => harness_decode($post->post_title), 'password_protected' => $post->post_password !== ''];
        }
    }
    $site = harness_site_truth() + ['published_count' => count($published)];
    return ['site' => $site, 'posts' => $published, 'unpublished' => $unpublished];
}

/** Site-level facts. */
function harness_site_truth(): array
{
    return [
        'name' => harness_decode(get_bloginfo('name')),
        'description' => harness_decode(get_bloginfo('description')),
        'url' => home_url('/'),
        'language' => get_bloginfo('language'),
        'locale' => get_locale(),
        'theme' => get_stylesheet(),
        'timezone' => wp_timezone_string(),
        'wordpress_version' => get_bloginfo('version'),
        'permalink_structure' => get_option('permalink_structure'),
        'posts_per_page' => (int) get_option('posts_per_page'),
        'posts_per_rss' => (int) get_option('posts_per_rss'),
    ];
}
