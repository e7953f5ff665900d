<?php
/**
 * Plugin Name: scraper test harness guard
 * Description: Keeps the private test WordPress off the network: every outgoing HTTP request fails at once.
 */

// Update checks, oEmbed discovery, pingbacks and loopbacks all go through the HTTP API; answering
// `pre_http_request` with an error stops them before any socket is opened.
add_filter('pre_http_request', function ($preempt, $args, $url) {
    return new WP_Error('http_request_blocked', 'scraper test harness: outgoing HTTP is disabled (' . $url . ')');
}, 0, 3);
