<?php
// Switch the theme (argv[1]) and the site language (argv[2], "en_US" or a locale with installed files).
require __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/lib.php';
[, $theme, $locale] = $argv;
$candidate = wp_get_theme($theme);
if (!$candidate->exists() || $candidate->errors()) {
    throw new RuntimeException("theme $theme is not installed or broken");
}
if (!is_wp_version_compatible($candidate->get('RequiresWP'))) {
    throw new RuntimeException("theme $theme requires WordPress " . $candidate->get('RequiresWP'));
}
switch_theme($theme);
harness_set_locale($locale);
harness_out(['theme' => get_stylesheet(), 'locale' => get_option('WPLANG') ?: 'en_US']);
