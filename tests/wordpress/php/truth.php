<?php
// Print the site's ground truth as JSON, read back from WordPress (see lib.php: harness_truth).
require __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/lib.php';
harness_out(harness_truth());
