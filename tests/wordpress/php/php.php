<?php
// Run arbitrary PHP (read from stdin) inside the loaded WordPress; used by WordPressSite.php().
require __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/lib.php';
eval(stream_get_contents(STDIN));
