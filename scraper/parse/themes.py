"""Theme markup: where common WordPress themes put each field, the post container, and page-wide boilerplate."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml.cssselect import CSSSelector


_CLASS_IN_CSS = re.compile(r"\.([\w-]+)")


@dataclass(frozen=True)
class Rule:
    """One compiled selector, its strategy name, and the class names a match needs (all of them)."""

    selector: CSSSelector
    name: str
    needs: frozenset[str]


def _compile(pairs: list[tuple[str, str]]) -> list[Rule]:
    """Compile (css, strategy) pairs once at import: XPath compilation is the costly part of a CSS query."""
    rules = []
    for css, name in pairs:
        # Only a single selector's own classes are required (a "a, b" list would need either).
        needs = frozenset(_CLASS_IN_CSS.findall(css.split(":not(")[0])) if "," not in css else frozenset()
        rules.append(Rule(CSSSelector(css), name, needs))
    return rules


def class_names(root: etree._Element) -> set[str]:
    """Every class name used in the page (one pass), so selectors needing absent classes are skipped."""
    return {token for value in root.xpath("//@class") for token in value.split()}


# Each table is in falling order of trust; the strategy name goes into Post.sources as "theme:<name>".
TITLE = _compile([
    (".elementor-widget-theme-post-title .elementor-heading-title", "elementor-post-title"),
    ("h1.entry-title", "h1.entry-title"),
    (".single-post-title", "single-post-title"),
    ("h1.wp-block-post-title", "block-post-title"),
    ("h1.cm-entry-title", "cm-entry-title"),
    ("h1.title-post", "title-post"),
    ("h1.hestia-title", "hestia-title"),
    ("h1.zak-page-title", "zak-page-title"),
    ("h1.post-title", "h1.post-title"),
    ("h1.entry-header-title", "entry-header-title"),
    ("h1.tdb-title-text", "tagdiv-title"),
    ("h1.fusion-post-title", "avada-title"),
    ("h1.single-title", "single-title"),
    ("h1.jeg_post_title", "jnews-title"),
    (".amp-wp-title", "amp-reader-title"),
    ("h1[itemprop~=headline]", "microdata-headline"),
    (".wp-block-post-title", "block-post-title"),
    (".entry-title", "entry-title"),
    ("[itemprop~=headline]", "microdata-headline"),
    ("h1.page-title", "page-title"),
])

AUTHOR = _compile([
    (".elementor-post-info__item--type-author", "elementor-post-info"),
    ("a[rel~=author]", "rel-author"),
    (".author.vcard .fn", "vcard"),
    (".vcard .fn", "vcard"),
    (".author.vcard .author-name", "vcard"),
    (".author.vcard a", "vcard"),
    (".byline .author-name", "byline"),
    (".entry-author-name", "genesis-author"),
    (".td-post-author-name a", "tagdiv-author"),
    (".jeg_meta_author a", "jnews-author"),
    (".amp-wp-byline .amp-wp-author", "amp-reader-author"),
    (".fusion-meta-info .fn a", "avada-author"),
    (".tdb-author-name", "tagdiv-author"),
    (".posted-by .author-name", "posted-by"),
    (".byline a", "byline"),
    (".posted-by a", "posted-by"),
    (".meta-author a", "meta-author"),
    (".post-author a", "post-author"),
    (".wp-block-post-author__name", "block-post-author"),
    (".wp-block-post-author-name", "block-post-author-name"),
    ("[itemprop~=author] [itemprop~=name]", "microdata-author-name"),
    ("[itemprop~=author]", "microdata-author"),
    (".author-name", "author-name"),
    (".byline", "byline"),
    (".posted-by", "posted-by"),
    (".meta-author", "meta-author"),
    (".author a", "author-class"),
    ("[class*=byline] a", "byline-class"),
    ("[class*=byline]", "byline-class-text"),
    ("a[href*='/author/']", "author-archive-link"),
])
#: AUTHOR rules that match a whole byline ("By X", "Von X"), not the name alone: label words are removed there.
AUTHOR_CONTAINERS = {"elementor-post-info", "microdata-author", "byline", "posted-by", "meta-author",
                     "byline-class-text"}
#: The author only named in an author box (Twenty Twenty-One prints "By X" there instead of a byline).
AUTHOR_BOX = _compile([(".author-bio .author-title", "author-bio"), (".author-box .author-name", "author-box")])

CATEGORY = _compile([
    ("a[rel~=category]", "rel-category"),
    (".taxonomy-category a", "block-post-terms"),
    (".cat-links a", "cat-links"),
    (".meta-cat a", "meta-cat"),
    (".category-links a", "category-links"),
    (".cm-post-categories a", "cm-post-categories"),
    (".meta-categories a", "meta-categories"),
    (".entry-categories a", "entry-categories"),
    (".post-categories a", "post-categories"),
    (".zak-cat-links a", "zak-cat-links"),
    (".td-category a", "tagdiv-category"),
    (".tdb-entry-category", "tagdiv-category"),
    (".post-cat-wrap a", "post-cat-wrap"),
    (".jeg_meta_category a", "jnews-category"),
    (".amp-wp-tax-category a", "amp-reader-category"),
    (".penci-cat-name", "soledad-category"),
    (".entry-category a", "entry-category"),
    ("[itemprop~=articleSection]", "microdata-section"),
    (".elementor-post-info__terms-list a[href*='/category/']", "elementor-post-info"),
    ("a[href*='/category/']", "category-url"),
])
#: Category lines that may print the names without links (read as text only when they hold no link).
CATEGORY_LINES = _compile([
    (".cat-links", "cat-links"),
    (".entry-categories", "entry-categories"),
    (".post-categories", "post-categories"),
    (".meta-categories", "meta-categories"),
    (".category-links", "category-links"),
])
TAG = _compile([
    (".taxonomy-post_tag a", "block-post-terms"),
    (".tags-links a", "tags-links"),
    (".post-tags a", "post-tags"),
    (".tag-links a", "tag-links"),
    (".entry-tags a", "entry-tags"),
    (".nv-tags-list a", "nv-tags-list"),
    (".meta-tag a", "meta-tag"),
    (".zak-tags-links a", "zak-tags-links"),
    (".amp-wp-tax-tag a", "amp-reader-tag"),
    (".post-tags-list a", "post-tags-list"),
    ("[itemprop~=keywords] a", "microdata-keywords"),
    (".elementor-post-info__terms-list a[href*='/tag/']", "elementor-post-info"),
])
#: Last resort, in the post's container only: links to a tag archive (/tag/slug/) outside the article text.
TAG_URL = _compile([("a[href*='/tag/']", "tag-url")])
#: Links with rel="tag" are tags unless they sit in a category list (Kadence, Blocksy, block themes use rel=tag there).
REL_TAG = CSSSelector("a[rel~=tag]")

PUBLISHED = _compile([
    (".elementor-post-info__item--type-date", "elementor-post-info"),
    ("time.entry-date.published", "entry-date"),
    ("time.published", "time.published"),
    (".wp-block-post-date:not(.wp-block-post-date__modified-date) time", "block-post-date"),
    ("time.ct-meta-element-date", "blocksy-date"),
    ("[itemprop~=datePublished]", "microdata-published"),
    ("time[datetime-local]", "oceanwp-datetime-local"),
    ("time.entry-time", "genesis-time"),
    (".fusion-meta-info .updated", "avada-date"),
    (".jeg_meta_date", "jnews-date"),
    (".posted-on time", "posted-on"),
    ("time.entry-date", "entry-date"),
    (".meta-date", "meta-date"),
    (".posted-on", "posted-on"),
    (".entry-date", "entry-date"),
    (".post-date", "post-date"),
    ("span.published", "published"),
    ("time[datetime]", "time"),
])
MODIFIED = _compile([
    ("time.updated:not(.published)", "time.updated"),
    (".wp-block-post-date__modified-date time", "block-post-date-modified"),
    ("[itemprop~=dateModified]", "microdata-modified"),
    (".meta-mod-date", "meta-mod-date"),
    ("span.updated:not(.published)", "updated"),
])

FEATURED_CAPTION = _compile([
    (".thumbnail-caption", "thumbnail-caption"),
    (".elementor-widget-theme-post-featured-image figcaption", "elementor-featured-image"),
    ("figure.post-thumbnail figcaption", "post-thumbnail"),
    (".post-thumbnail figcaption", "post-thumbnail"),
    (".post-thumbnail .wp-caption-text", "post-thumbnail"),
    ("figure.ct-featured-image figcaption", "blocksy-featured-image"),
    (".article-post-thumbnail-caption", "kadence-thumbnail-caption"),
    (".featured-image figcaption", "featured-image"),
    (".featured-image-caption", "featured-image"),
    (".post-thumbnail-caption", "featured-image"),
    (".entry-thumbnail figcaption", "featured-image"),
    (".single-featured-image figcaption", "featured-image"),
    ("figure.wp-block-post-featured-image figcaption", "block-featured-image"),
    (".td-post-featured-image figcaption", "tagdiv-featured-image"),
    (".amp-wp-article-featured-image figcaption", "amp-reader-featured-image"),
    (".amp-wp-article-featured-image .wp-caption-text", "amp-reader-featured-image"),
    (".post-featured-image figcaption", "featured-image"),
])
FEATURED_IMAGE = _compile([
    ("img.wp-post-image", "wp-post-image"),
    (".elementor-widget-theme-post-featured-image img", "elementor-featured-image"),
    (".post-thumbnail img", "post-thumbnail"),
    (".thumbnail img", "thumbnail"),
    (".featured-image img", "featured-image"),
])

BODY = _compile([
    (".elementor-widget-theme-post-content", "elementor-post-content"),
    (".wp-block-post-content", "block-post-content"),
    (".entry-content", "entry-content"),
    (".single-content", "single-content"),
    (".nv-content-wrap", "nv-content-wrap"),
    (".cm-entry-summary", "cm-entry-summary"),
    (".single-post-wrap", "single-post-wrap"),
    ("[itemprop~=articleBody]", "microdata-body"),
    (".td-post-content", "td-post-content"),
    (".tdb_single_content .tdb-block-inner", "tagdiv-content"),
    (".jeg_post .content-inner", "jnews-content"),
    (".post-content", "post-content"),
    (".article-content", "article-content"),
    (".post-entry", "post-entry"),
    (".entry-body", "entry-body"),
    (".post-body", "post-body"),
    (".page-content", "page-content"),
    (".fl-post-content", "beaver-builder-content"),
    (".amp-wp-article-content", "amp-reader-content"),
    (".et_pb_post_content", "divi-post-content"),
])

COMMENT_COUNT = _compile([
    ("[itemprop~=commentCount]", "microdata-comment-count"),
    ("[data-comments-count]", "wpdiscuz-count"),
    (".elementor-post-info__item--type-comments", "elementor-post-info"),
    ("li.meta-comments", "meta-comments"),
    (".meta-comments-link", "meta-comments-link"),
    (".comments-link", "comments-link"),
    (".zak-comments-link", "zak-comments-link"),
    (".amp-wp-comments-link", "amp-reader-comments-link"),
    (".cm-comments-link", "cm-comments-link"),
    (".meta-comments", "meta-comments"),
    (".post-comments", "post-comments"),
    (".comments-number", "divi-comments-number"),
    (".td-post-comments", "tagdiv-comments"),
    (".jeg_meta_comment", "jnews-comments"),
    (".meta-comment", "meta-comment"),
    (".comment-count", "comment-count"),
    ("a[href$='#comments']", "comments-anchor"),
    ("a[href$='#respond']", "respond-anchor"),
])
COMMENT_HEADING = _compile([
    (".wp-block-comments-title", "block-comments-title"),
    (".comments-title", "comments-title"),
    (".ct-comments-title", "blocksy-comments-title"),
    (".title-comments", "title-comments"),
    (".comments-header .comment-reply-title", "twentytwenty-comments-title"),
    ("#comments > h2", "comments-heading"),
    ("#comments > h3", "comments-heading"),
    ("h2#comments, h3#comments", "comments-heading-id"),
    ("#comments h2, #comments h3", "comments-heading"),
])
COMMENT_ITEMS = CSSSelector("li.comment, li.pingback, li.trackback, article.comment, li[id^='comment-'], "
                            "div.comment[id^='comment-']")
COMMENT_LIST = CSSSelector("ol.comment-list, ol.commentlist, ul.comment-list, ol.wp-block-comment-template, "
                           ".wp-block-comment-template")
COMMENT_FORM = CSSSelector("#respond, .comment-respond, form#commentform, .wp-block-post-comments-form")

POST_CONTAINER = _compile([
    ("[data-elementor-type=single-post]", "elementor-single"),
    ("article.amp-wp-article", "amp-reader-article"),
    (".elementor-location-single", "elementor-single"),
    ("main", "main"),
    ("[role=main]", "main"),
    ("#main", "main"),
    ("#primary", "primary"),
    ("#content", "content"),
])
ARTICLES = CSSSelector("article")
#: Links to the post's author: rel=author or WordPress's author archive (/author/slug/).
AUTHOR_LINKS = CSSSelector("a[rel~=author], a[href*='/author/']")

#: Class/id words of regions that are never the post's own meta: related posts, sharing, comments, author boxes…
#: Each word must open a class-name part (after a space, "-" or "_"): "social-icons" and "entry_comments" are
#: boilerplate, a compound like "tagscategoriessocial" (Hueman's post-meta block) is not.
_SHARING_WORDS = "share|sharing|social"
_COMMENT_WORDS = "comment|respond"
_OTHER_WORDS = (
    r"related|author-?box|author-?bio|about-?author|saboxplugin|widget-area|widget_|site-footer|breadcrumb|menu|"
    r"navigation|nav-links|post-nav|next-?(?:post|story|article)|prev(?:ious)?-?(?:post|story|article)|read-?next|"
    r"up-?next|more-?stories|yarpp|crp_|newsletter|advert|sponsor|popular|trending|recommend|more-from|"
    r"jp-relatedposts")
_WHOLE_TOKENS = (
    r"(?:^|\s)widget(?:\s|$)|(?:^|\s)secondary(?:\s|$)|"
    r"(?:^|\s)(?:(?:left|right|main|primary|secondary)[-_])?sidebar(?:[-_](?:\d+|left|right|primary|secondary|main|"
    r"widgets?|wrapper|wrap|area|inner|container|box|top|bottom))?(?:\s|$)")


def _boilerplate(*word_groups: str, extra: str = "") -> re.Pattern[str]:
    """A region-name pattern: the words opening a class-name part, the whole-token names, and extra."""
    return re.compile(rf"(?:^|[\s_-])(?:{'|'.join(word_groups)})|{_WHOLE_TOKENS}{extra}", re.IGNORECASE)


BOILERPLATE = _boilerplate(_SHARING_WORDS, _COMMENT_WORDS, _OTHER_WORDS)
#: The same plus page footers: where the paragraph-density heuristic never looks for the article (a post's own
#: footer holds its tags and date, so the field tables do not skip footers).
NOT_ARTICLE_TEXT = _boilerplate(_SHARING_WORDS, _COMMENT_WORDS, _OTHER_WORDS,
                                extra=r"|(?:^|\s)(?:footer|colophon|site-info)(?:\s|$)")
#: The same, minus sharing bars: themes print the post's tags and comment link in them (div.share > a[rel=tag]).
BOILERPLATE_NOT_SHARING = _boilerplate(_COMMENT_WORDS, _OTHER_WORDS)
#: The same, minus comments and sharing bars: comment counts live in comment areas and beside share buttons.
BOILERPLATE_NOT_COMMENTS = _boilerplate(_OTHER_WORDS)


#: Tokens that are not region names: post_class() tokens named after the post's own terms ("tag-social-media"),
#: and meta-line names that open with a meta word ("date-comments" holds the date and the categories, it is not
#: a comment area; "comment-date" still is one).
_NOT_REGION_NAMES = re.compile(r"(?:^|\s)(?:(?:category|tag|post_tag|format|type|status|postid|post)-\S+|"
                               r"(?:date|time|meta|byline|posted)[-_]\S+)")


#: <aside> is a sidebar unless its class says it holds the post's own terms (aside.tags in a post footer).
POST_META_ASIDE = re.compile(r"(?:^|[\s_-])(?:tags?|categor\w*|entry-meta|post-meta)(?:$|[\s_-])")


def inside(el: etree._Element, scope: etree._Element, pattern: re.Pattern[str]) -> bool:
    """True when el or an ancestor below scope has a class or id matching pattern."""
    node = el
    while node is not None and node is not scope:
        if node.tag == "nav" or (node.tag == "aside" and not POST_META_ASIDE.search(node.get("class") or "")):
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and pattern.search(_NOT_REGION_NAMES.sub(" ", marks)) and node.find(".//h1") is None:
            return True   # (a region holding an h1 is the post's own, whatever its name: div#sidebar > h1.entry-title)
        node = node.getparent()
    return False


def select(scope: etree._Element, table: list[Rule], skip: re.Pattern[str] | None = BOILERPLATE,
           present: set[str] | None = None) -> Iterator[tuple[str, list[etree._Element]]]:
    """For each selector of a table (in order, lazily), the matches under scope outside boilerplate regions;
    `present` (the page's class names) lets selectors whose classes the page never uses skip the tree walk."""
    for rule in table:
        if present is not None and not rule.needs <= present:
            continue
        matches = [el for el in rule.selector(scope) if skip is None or not inside(el, scope, skip)]
        if matches:
            yield rule.name, matches
