<?php
// Shared start of every harness PHP script: load WordPress from the private docroot given in
// $WP_DOCROOT, as a command-line script, and stop on the first PHP warning (a silent notice in
// a seeding script would mean a wrong fixture).
$docroot = getenv('WP_DOCROOT');
if (!$docroot || !is_file($docroot . '/wp-load.php')) {
    fwrite(STDERR, "WP_DOCROOT must name the private WordPress docroot\n");
    exit(2);
}
$base = parse_url(getenv('WP_BASE_URL') ?: 'http://127.0.0.1/');
$_SERVER['HTTP_HOST'] = $base['host'] . (isset($base['port']) ? ':' . $base['port'] : '');
$_SERVER['SERVER_NAME'] = $base['host'];
$_SERVER['SERVER_PORT'] = $base['port'] ?? 80;
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

set_error_handler(function ($severity, $message, $file, $line) {
    if (!(error_reporting() & $severity)) {
        return false;
    }
    throw new ErrorException($message, 0, $severity, $file, $line);
}, E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED);

if (!empty($HARNESS_INSTALLING)) {
    define('WP_INSTALLING', true);
}
require_once $docroot . '/wp-load.php';

/** Print a value as JSON on stdout (the only output the Python side reads). */
function harness_out($value): void
{
    echo json_encode($value, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT), "\n";
}

/** Plain text of an HTML fragment: entities decoded, tags removed, whitespace collapsed. */
function harness_text(string $html): string
{
    $text = html_entity_decode(wp_strip_all_tags($html), ENT_QUOTES | ENT_HTML5, 'UTF-8');
    return trim(preg_replace('/\s+/u', ' ', $text));
}
