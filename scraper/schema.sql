-- archive.db schema: the source of truth (scraper/store/ applies it; scraper/schema.sql links here).
-- Every statement is idempotent (IF NOT EXISTS) so that re-applying it on open also adds objects that a
-- newer schema version introduced. Times are UTC ISO 8601 text ('2026-11-26T09:14:46.123456Z'),
-- list-valued columns are JSON arrays. Nothing is ever deleted: posts keep deleted_at, versions are append-only.

CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL,                  -- the one row: schema version of this file
    applied_at TEXT NOT NULL
);

-- One row per crawled site.
CREATE TABLE IF NOT EXISTS sites (
    id INTEGER PRIMARY KEY,
    base_url TEXT NOT NULL UNIQUE,
    name TEXT,
    language TEXT,
    is_wordpress INTEGER,                      -- 1/0, NULL = not checked
    rest_api_url TEXT,
    first_crawled_at TEXT,
    last_crawled_at TEXT
);

-- One row per crawl run, with its counters.
CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'complete', 'partial', 'failed', 'interrupted')),
    options TEXT,                              -- JSON object: the crawl's options
    pages_fetched INTEGER NOT NULL DEFAULT 0,
    posts_new INTEGER NOT NULL DEFAULT 0,
    posts_changed INTEGER NOT NULL DEFAULT 0,  -- includes restored posts
    posts_unchanged INTEGER NOT NULL DEFAULT 0,
    posts_deleted INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS crawls_site ON crawls(site_id, started_at);

-- Shared zstandard dictionaries (one trained per site) that compress pages.
CREATE TABLE IF NOT EXISTS zstd_dicts (
    id INTEGER PRIMARY KEY,
    site_id INTEGER REFERENCES sites(id),
    created_at TEXT NOT NULL,
    samples INTEGER NOT NULL,
    data BLOB NOT NULL
);

-- Raw response bodies, content-addressed: stored once however often they are fetched.
CREATE TABLE IF NOT EXISTS pages (
    sha256 TEXT PRIMARY KEY,                   -- hex sha256 of the raw body
    site_id INTEGER REFERENCES sites(id),      -- site of the first fetch that stored it
    size INTEGER NOT NULL,                     -- raw bytes
    stored_size INTEGER NOT NULL,              -- compressed bytes in `data`
    content_type TEXT,                         -- Content-Type it was first served with (its charset matters)
    compression TEXT NOT NULL CHECK (compression IN ('zstd', 'none')),
    dict_id INTEGER REFERENCES zstd_dicts(id), -- NULL = compressed without a dictionary
    data BLOB NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_site_dict ON pages(site_id, dict_id);

-- Every HTTP response (or failed attempt), in order: post pages and every discovery request (robots.txt, the
-- home page, REST listing/users/terms/comments, sitemaps, feeds), each redirect hop and each retried attempt.
-- Bodies of 200 answers are kept in `pages` (sitemaps, feeds and REST JSON included); others keep none.
-- A site refused as not WordPress, or unreachable at detection, has no crawl row and leaves no fetches.
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    crawl_id INTEGER REFERENCES crawls(id),
    fetched_at TEXT NOT NULL,
    status INTEGER,                            -- HTTP status, NULL when no response came
    final_url TEXT,
    etag TEXT,
    last_modified TEXT,
    content_type TEXT,
    bytes INTEGER,                             -- raw body length
    elapsed_ms INTEGER,
    error TEXT,
    page_sha256 TEXT REFERENCES pages(sha256)
);
CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url, fetched_at);
CREATE INDEX IF NOT EXISTS fetches_crawl ON fetches(crawl_id);

-- Bookkeeping of every post ever seen: one row per post; its fields live in its current post_versions row.
CREATE TABLE IF NOT EXISTS post_state (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    url TEXT NOT NULL,                         -- identity, as in the current version (indexed for lookups)
    wp_id INTEGER,
    current_version_id INTEGER REFERENCES post_versions(id),
    sources TEXT,                              -- JSON object: field -> extraction strategy
    api_data TEXT,                             -- JSON object: the REST API's view of the post
    discrepancies TEXT,                        -- JSON object: {field: {"page": v, "api": v}}
    page_sha256 TEXT REFERENCES pages(sha256), -- the last page this post was seen on
    parser_version TEXT,                       -- the parser that last read it
    version INTEGER NOT NULL DEFAULT 1,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    last_changed_at TEXT NOT NULL,
    deleted_at TEXT                            -- set when the site no longer has it
);
CREATE UNIQUE INDEX IF NOT EXISTS post_state_site_wp_id ON post_state(site_id, wp_id) WHERE wp_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS post_state_url ON post_state(url, site_id);
CREATE INDEX IF NOT EXISTS post_state_last_changed ON post_state(last_changed_at);

-- Append-only history: one row per version of a post, with the tracked fields as they were then.
CREATE TABLE IF NOT EXISTS post_versions (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES post_state(id),
    version INTEGER NOT NULL,
    captured_at TEXT NOT NULL,
    crawl_id INTEGER REFERENCES crawls(id),
    reason TEXT NOT NULL CHECK (reason IN ('new', 'changed', 'deleted', 'restored', 'reparse')),
    changed_fields TEXT NOT NULL DEFAULT '[]', -- JSON array of field names
    url TEXT,
    wp_id INTEGER,
    title TEXT,
    author TEXT,
    authors TEXT,                              -- JSON array, in byline order
    categories TEXT,                           -- JSON array
    tags TEXT,                                 -- JSON array
    published_at TEXT,
    modified_at TEXT,
    photo_credit TEXT,
    photo_caption TEXT,
    featured_image TEXT,
    excerpt TEXT,
    body_text TEXT,
    body_html TEXT,
    comment_count INTEGER,
    language TEXT,
    page_sha256 TEXT,
    parser_version TEXT,
    UNIQUE (post_id, version)
);
CREATE INDEX IF NOT EXISTS post_versions_captured ON post_versions(captured_at);
CREATE TRIGGER IF NOT EXISTS post_versions_append_only_update BEFORE UPDATE ON post_versions
BEGIN SELECT RAISE(ABORT, 'post_versions is append-only'); END;
CREATE TRIGGER IF NOT EXISTS post_versions_append_only_delete BEFORE DELETE ON post_versions
BEGIN SELECT RAISE(ABORT, 'post_versions is append-only'); END;

-- The current state of every post: one row per post, its current version's fields plus its bookkeeping.
-- A view, so that the text of a post is stored once (in its version), not twice.
CREATE VIEW IF NOT EXISTS posts AS
SELECT s.id, s.site_id, s.url, s.wp_id, v.title, v.author, v.authors, v.categories, v.tags, v.published_at,
       v.modified_at, v.photo_credit, v.photo_caption, v.featured_image, v.excerpt, v.body_text, v.body_html,
       v.comment_count, v.language, s.sources, s.api_data, s.discrepancies, s.page_sha256, s.parser_version,
       s.version, s.first_seen_at, s.last_seen_at, s.last_changed_at, s.deleted_at
FROM post_state AS s JOIN post_versions AS v ON v.id = s.current_version_id;

-- Authors, categories and tags as rows, joined to the current state of posts.
CREATE TABLE IF NOT EXISTS authors (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    UNIQUE (site_id, name)
);
CREATE TABLE IF NOT EXISTS post_authors (
    post_id INTEGER NOT NULL REFERENCES post_state(id),
    author_id INTEGER NOT NULL REFERENCES authors(id),
    position INTEGER NOT NULL,                 -- 0 = first byline
    PRIMARY KEY (post_id, author_id)
);
CREATE INDEX IF NOT EXISTS post_authors_author ON post_authors(author_id);
CREATE TABLE IF NOT EXISTS categories (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    UNIQUE (site_id, name)
);
CREATE TABLE IF NOT EXISTS post_categories (
    post_id INTEGER NOT NULL REFERENCES post_state(id),
    category_id INTEGER NOT NULL REFERENCES categories(id),
    PRIMARY KEY (post_id, category_id)
);
CREATE INDEX IF NOT EXISTS post_categories_category ON post_categories(category_id);
CREATE TABLE IF NOT EXISTS tags (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    UNIQUE (site_id, name)
);
CREATE TABLE IF NOT EXISTS post_tags (
    post_id INTEGER NOT NULL REFERENCES post_state(id),
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX IF NOT EXISTS post_tags_tag ON post_tags(tag_id);

-- Full-text search over the current title and body_text (external content: the posts view), kept in sync by a trigger.
CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(
    title, body_text, content='posts', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
-- A post's indexed text changes only when its current version does.
CREATE TRIGGER IF NOT EXISTS posts_fts_follow_version AFTER UPDATE OF current_version_id ON post_state BEGIN
    INSERT INTO posts_fts(posts_fts, rowid, title, body_text)
        SELECT 'delete', old.id, title, body_text FROM post_versions WHERE id = old.current_version_id;
    INSERT INTO posts_fts(rowid, title, body_text)
        SELECT new.id, title, body_text FROM post_versions WHERE id = new.current_version_id;
END;

-- Crawl frontier: URLs still to fetch (pending) and what became of the others; a killed crawl resumes from it.
CREATE TABLE IF NOT EXISTS frontier (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    url TEXT NOT NULL,
    wp_id INTEGER,
    source TEXT,                               -- where the URL came from (rest, sitemap, feed, listing…)
    reason TEXT,                               -- why it is queued (new, modified, revalidate…)
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'gone', 'skipped')),
    error TEXT,
    queued_at TEXT NOT NULL,
    finished_at TEXT,
    UNIQUE (site_id, url)
);
CREATE INDEX IF NOT EXISTS frontier_pending ON frontier(site_id, state, priority DESC, queued_at, id);

-- Per-site crawl state: JSON values by key (watermarks, feed ETag, expected totals…).
CREATE TABLE IF NOT EXISTS site_state (
    site_id INTEGER NOT NULL REFERENCES sites(id),
    key TEXT NOT NULL,
    value TEXT,                                -- JSON
    updated_at TEXT NOT NULL,
    PRIMARY KEY (site_id, key)
);

-- The last complete listing of a site's posts (REST/sitemap), used to spot changed and vanished posts.
CREATE TABLE IF NOT EXISTS listing (
    site_id INTEGER NOT NULL REFERENCES sites(id),
    wp_id INTEGER NOT NULL,
    url TEXT,
    fingerprint TEXT,
    modified_gmt TEXT,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (site_id, wp_id)
);

-- Views for the usual questions.
CREATE VIEW IF NOT EXISTS latest_changes AS
SELECT v.captured_at, s.base_url AS site, p.id AS post_id, p.url, p.title, v.version, v.reason,
       v.changed_fields, v.crawl_id
FROM post_versions v
JOIN posts p ON p.id = v.post_id
JOIN sites s ON s.id = p.site_id
WHERE v.reason != 'new'
ORDER BY v.captured_at DESC, v.id DESC;

CREATE VIEW IF NOT EXISTS site_counts AS
SELECT s.id AS site_id, s.base_url,
       (SELECT count(*) FROM posts p WHERE p.site_id = s.id AND p.deleted_at IS NULL) AS posts,
       (SELECT count(*) FROM posts p WHERE p.site_id = s.id AND p.deleted_at IS NOT NULL) AS deleted_posts,
       (SELECT count(*) FROM post_versions v JOIN posts p ON p.id = v.post_id WHERE p.site_id = s.id) AS versions,
       (SELECT count(*) FROM crawls c WHERE c.site_id = s.id) AS crawls,
       s.last_crawled_at
FROM sites s;
