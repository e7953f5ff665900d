"""The field-by-field extraction: each field takes the most trusted strategy that yields a value."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector

from scraper.parse import body, comments, credits, dates, document, themes
from scraper.parse.structured import Head, ld_list, ld_names, ld_text, read_head
from scraper.parse.words import AUTHOR_LABEL, AUTHOR_PREFIX, CATEGORY_LABEL, POSTED_BY, WRITTEN_BY_LABELS
from scraper.record import PARSER_ERROR, Post, empty

log = logging.getLogger(__name__)

_WP_MARKERS = ("/wp-content/", "/wp-includes/", "api.w.org", 'content="WordPress', "wp-block-", "yoast-schema-graph",
               "rank-math-schema", "/wp-json/")
_LISTING_CLASSES = {"home", "blog", "archive", "category", "tag", "search", "author", "date", "paged", "tax"}
_XML_DOCUMENT = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<\?xml-stylesheet[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                           r"<(rss|feed|rdf:RDF|urlset|sitemapindex)\b", re.DOTALL)
_INDEX_CLASSES = {"home", "blog", "archive"}
_SINGLE_CLASSES = {"single", "single-post", "page", "singular", "attachment"}
_POST_ID_CLASS = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
_SHORTLINK_ID = re.compile(r"[?&]p=(\d+)\b")
_REST_ID = re.compile(r"/wp/v2/(?:posts|pages)/(\d+)")
_TITLE_SEPARATORS = (" – ", " — ", " - ", " | ", " · ", " » ", " « ", " ‹ ", " › ", " :: ", " ~ ")
_COMMENT_FEED_SUFFIX = re.compile(
    r"(?:^|\s)(?:comments?\s+feed|kommentar-?\s?feed|flux\s+des\s+commentaires|feed\s+de\s+(?:los\s+)?comentarios|"
    r"feed\s+dei\s+commenti|feed\s+de\s+comentários|reactiesfeed|reacties\s+feed|rss\s+de\s+los\s+comentarios)\s*$",
    re.IGNORECASE)
_SITE_TITLE = CSSSelector(".site-title, #site-title, .site-branding a[rel~=home], .wp-block-site-title")
#: Elements whose class or id may name a meta line (the words are checked with _META_ZONE_WORDS after this XPath).
_META_ZONES = etree.XPath(
    ".//*[contains(@class,'date') or contains(@class,'datum') or contains(@class,'fecha') or contains(@class,'meta') "
    "or contains(@class,'byline') or contains(@class,'posted') or contains(@class,'published') or "
    "contains(@class,'info') or contains(@class,'detail') or contains(@class,'footer') or contains(@class,'time') or "
    "contains(@id,'date') or contains(@id,'meta')]")
_META_ZONE_WORDS = re.compile(
    r"date|datum|fecha|meta|byline|posted|published|post-?info|post_?detail|post-?footer|entry-?footer|"
    r"(?:^|[\s_-])time(?:$|[\s_-])", re.IGNORECASE)
#: A line about an image: it opens with an image word (or ©), not with "Source"/"Quelle" (the text's source).
_IMAGE_CREDIT_LINE = re.compile(r"\s*(?:©|(?:photos?|images?|fotos?|fotografía|fotografia|bild|imagen|immagine|imagem|"
                                r"illustration|beeld|afbeelding|ph\.?|cr[ée]dits?\s+photos?|photo\s+credit|image\s+credit)\b)",
                                re.IGNORECASE)
#: "<date> von|by|par… <name>" and "<First Last> | <date>" meta lines.
_DATE_BY_NAME = re.compile(r"(?P<date>.*\d.*?)\s+(?:von|by|par|por|di|door)\s+(?P<name>[^\s,|]+(?:\s+[^\s,|]+){0,2})\s*")
_NAME_BAR_DATE = re.compile(r"(?P<name>[A-ZÀ-Ý][\w.'’-]+(?:\s+[A-ZÀ-Ý][\w.'’-]+){1,3})\s*[|·•]\s*(?P<date>.*\d.*)")
_WEBPAGE_TYPES = {"webpage", "itempage", "collectionpage", "profilepage", "aboutpage"}


@dataclass
class Page:
    """Everything the field extractors share: the tree, its regions and the page's declarations."""

    root: etree._Element
    body: etree._Element
    scope: etree._Element          # the post's own container (article, Elementor single template, main…)
    head: Head
    base_url: str | None
    article: dict[str, Any] | None   # the JSON-LD Article node
    webpage: dict[str, Any] | None   # the JSON-LD WebPage node
    classes: set[str]                # every class name the page uses
    _container: tuple[etree._Element | None, str | None] | None = None

    def container(self) -> tuple[etree._Element | None, str | None]:
        """The post content element and the strategy that found it (searched once, then remembered)."""
        if self._container is None:
            found = body.find_container(self.scope, self.classes)
            if found[0] is None and self.scope is not self.body:
                found = body.find_container(self.body, self.classes)
            self._container = found
        return self._container

    def regions(self) -> list[etree._Element]:
        """The post container first, then the whole body (themes print titles and meta in heroes outside it)."""
        return [self.scope] if self.scope is self.body else [self.scope, self.body]


def extract_into(post: Post, html: bytes | str, url: str | None, headers: Mapping[str, str] | None) -> None:
    """Fill post from the page; every problem becomes a warning."""
    text = _to_text(html, headers, post.warnings)
    if text is None:
        return
    post.is_wordpress = any(marker in text for marker in _WP_MARKERS)
    feed = _XML_DOCUMENT.match(text)
    if feed:
        post.url = url
        post.warnings.append(f"not an HTML page: an XML document (<{feed.group(1)}>), e.g. a feed or sitemap")
        return
    root = document.build_tree(text, post.warnings)
    if root is None:
        post.url = url
        return
    page = _page(root, url, post.warnings, head_only=document.too_big(root, post.warnings))
    post.url = _canonical(page, url)
    page.base_url = post.url or url
    _set(post, "language", _language(page))
    _set(post, "site_name", _site_name(page))
    listing = _listing_size(page)
    if listing:
        post.warnings.append(f"listing page ({listing} post{'s' if listing > 1 else ''}), not a single post: "
                             "post fields left empty")
        return
    for field_name, extractor in _EXTRACTORS:
        _guarded(post, field_name, extractor, page)


def _to_text(html: bytes | str, headers: Mapping[str, str] | None, warnings: list[str]) -> str | None:
    """The page as text, or None (with a warning) when it is empty or not text at all."""
    if isinstance(html, str):
        data_text = html
    elif isinstance(html, (bytes, bytearray, memoryview)):
        data = document.gunzip(bytes(html), warnings)
        if not data.strip():
            warnings.append("empty page: nothing to parse")
            return None
        if document.looks_binary(data):
            warnings.append(f"not HTML: {len(data)} bytes of binary data")
            return None
        data_text = document.decode(data, headers, warnings)
    else:
        warnings.append(f"not HTML: got {type(html).__name__}, expected bytes or str")
        return None
    if not data_text.strip():
        warnings.append("empty page: nothing to parse")
        return None
    if "<" not in data_text[:65536]:
        warnings.append("no HTML markup found: parsed as plain text")
    return data_text


def _page(root: etree._Element, url: str | None, warnings: list[str], head_only: bool = False) -> Page:
    """Read the head and locate the post's container (head_only: an empty body keeping only its classes, so
    a huge tree still gives its declared fields without the theme-table walks)."""
    head = read_head(root, warnings)
    page_body = root.find("body")
    page_body = page_body if page_body is not None else root
    if head_only:
        page_body = etree.Element("body", {"class": page_body.get("class") or ""})
    article = head.article(urljoin(url or "", head.first_link("canonical") or head.first_meta("og:url") or ""))
    webpages = head.nodes_of(*_WEBPAGE_TYPES)
    page = Page(root=root, body=page_body, scope=page_body, head=head, base_url=url, article=article,
                webpage=webpages[0] if webpages else None, classes=themes.class_names(root))
    page.scope = _post_container(page)
    return page


def _post_container(page: Page) -> etree._Element:
    """The element that wraps this post: the one carrying its ID, else the first post article, else main."""
    post_id = _body_post_id(page)
    if post_id:
        marked = page.body.xpath(f'.//*[@id="post-{post_id}" or contains(concat(" ", normalize-space(@class), " "), '
                                 f'" post-{post_id} ")]')
        if marked:
            return marked[0]
    for article in themes.ARTICLES(page.body):
        if (article.get("id") or "").startswith("post-") and not themes.inside(article, page.body, themes.BOILERPLATE):
            return article
    return next((elements[0] for _, elements in themes.select(page.body, themes.POST_CONTAINER, None, page.classes)),
                page.body)


def _body_post_id(page: Page) -> int | None:
    """The post ID from WordPress's body class postid-N."""
    match = _POST_ID_CLASS.search(page.body.get("class") or "")
    return int(match.group(1)) if match else None


def _listing_size(page: Page) -> int:
    """How many posts a listing page (home, archive, search) shows; 0 for a single post or page."""
    if _body_post_id(page):
        return 0
    classes = set((page.body.get("class") or "").split())
    posts = [a for a in themes.ARTICLES(page.body) if _is_post_article(a)
             and not themes.inside(a, page.body, themes.BOILERPLATE)]
    if classes & _SINGLE_CLASSES:   # a static front page ("home page") is a listing only with a grid of posts
        return len(posts) if classes & _INDEX_CLASSES and len(posts) >= 2 else 0
    if classes & _LISTING_CLASSES:
        return max(len(posts), 1)
    if len(posts) >= 3 and not _one_main_article(posts):
        return len(posts)
    return 0


def _is_post_article(article: etree._Element) -> bool:
    """An <article> printed by post_class(): id post-N, or the post / type-post / hentry classes."""
    return (article.get("id") or "").startswith("post-") or bool(
        {"post", "type-post", "hentry"} & set((article.get("class") or "").split()))


def _one_main_article(posts: list[etree._Element]) -> bool:
    """True when exactly one of the articles is a whole post (an h1 and long text): the others are cards."""
    main = [a for a in posts if a.find(".//h1") is not None and len(a.text_content()) > 500]
    return len(main) == 1


def _guarded(post: Post, field_name: str, extractor: Callable[[Post, Page], None], page: Page) -> None:
    """Run one field's extractor; a bug in one field must not lose the others."""
    try:
        extractor(post, page)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, etree.LxmlError) as exc:
        log.exception("%s extraction failed on %s", field_name, post.url or "a page")
        post.warnings.append(f"{PARSER_ERROR}: {field_name} extraction failed ({type(exc).__name__}: {exc})")


def _set(post: Post, field_name: str, found: tuple[Any, str] | None) -> None:
    """Store (value, strategy) in the field and its source when a strategy yielded a value."""
    if found and not empty(found[0]):
        setattr(post, field_name, found[0])
        post.sources[field_name] = found[1]


# ---------------------------------------------------------------- page-level fields

def _canonical(page: Page, url: str | None) -> str | None:
    """The canonical URL (rel=canonical, og:url), absolute; else the URL the caller gave."""
    for candidate in (page.head.first_link("canonical"), page.head.first_meta("og:url")):
        if candidate:
            return urljoin(url or "", candidate)
    return url


def _language(page: Page) -> tuple[str, str] | None:
    """The page language as a BCP 47 tag (fr-FR): <html lang>, JSON-LD inLanguage, og:locale."""
    candidates = [(page.head.html_lang, "html:lang"),
                  (ld_text(page.article.get("inLanguage")) if page.article else None, "jsonld:inLanguage"),
                  (page.head.first_meta("og:locale"), "meta:og:locale"),
                  (page.head.first_meta("content-language"), "meta:content-language")]
    for value, source in candidates:
        if value and value.strip():
            return value.strip().replace("_", "-"), source
    return None


def _site_name(page: Page) -> tuple[str, str] | None:
    """The site's name: og:site_name, JSON-LD WebSite name, application-name."""
    value = page.head.first_meta("og:site_name")
    if value:
        return document.clean_text(value), "meta:og:site_name"
    for node in page.head.nodes_of("website"):
        name = ld_text(node.get("name"))
        if name:
            return name, "jsonld:WebSite"
    feed_titles = [title for _, link_type, title in page.head.links.get("alternate", ())
                   if link_type == "application/rss+xml" and "»" in title]
    suffix = _title_suffix(page)
    if suffix and any(suffix in title for title in feed_titles):
        return suffix, "wp-core:title-suffix+feed-link"
    if feed_titles:   # core's "{site} » Feed"; some locales put words first ("Feed para {site} »")
        return document.clean_text(feed_titles[0].split("»")[0]), "wp-core:feed-link-title"
    value = page.head.first_meta("application-name")
    if value:
        return document.clean_text(value), "meta:application-name"
    for el in _SITE_TITLE(page.body):
        text = document.visible_text(el)
        if text:
            return text, "theme:site-title"
    return None


def _document_title(page: Page) -> str | None:
    """The text of the head's <title>, whitespace collapsed; None when there is none."""
    title_el = page.root.find("head/title")
    return document.clean_text(title_el.text_content()) if title_el is not None else None


def _title_suffix(page: Page) -> str | None:
    """What follows the last " – " (or " | "…) in <title>: the site name in wp_get_document_title()."""
    text = _document_title(page) or ""
    for separator in _TITLE_SEPARATORS:
        if separator in text:
            return text.rsplit(separator, 1)[1].strip() or None
    return None


# ---------------------------------------------------------------- post fields

def _wp_id(post: Post, page: Page) -> None:
    """WordPress post ID: body postid-N, article#post-N, shortlink ?p=N, REST alternate link, comment form."""
    post_id = _body_post_id(page)
    if post_id:
        _set(post, "wp_id", (post_id, "wp-core:body-class"))
        return
    scope_id = re.fullmatch(r"post-(\d+)", page.scope.get("id") or "")
    if scope_id:
        _set(post, "wp_id", (int(scope_id.group(1)), "wp-core:article-id"))
        return
    for href, id_pattern, source in ((page.head.first_link("shortlink"), _SHORTLINK_ID, "wp-core:shortlink"),
                                     (page.head.first_link("alternate", "application/json"), _REST_ID,
                                      "wp-core:rest-link")):
        match = id_pattern.search(href or "")
        if match:
            _set(post, "wp_id", (int(match.group(1)), source))
            return
    field = page.body.xpath('.//input[@name="comment_post_ID"]/@value')
    if field and str(field[0]).isdecimal():
        _set(post, "wp_id", (int(field[0]), "wp-core:comment-form"))


def _title(post: Post, page: Page) -> None:
    """The title as displayed: the theme's title element, confirmed by (or else) JSON-LD, OpenGraph, <title>."""
    site = post.site_name
    headline = _strip_site(ld_text(page.article.get("headline")) if page.article else None, site)
    displayed = _displayed_title(page)
    agree = bool(headline and displayed and (_same(headline, displayed[0]) or _shortened(headline, displayed[0])))
    if agree and headline != displayed[0]:
        _set(post, "title", (displayed[0], f"{displayed[1]}+jsonld:headline"))   # same title, typography as shown
    elif headline and (not displayed or agree or _confirmed(headline, displayed[0], page, site)):
        _set(post, "title", (headline, "jsonld:headline"))
    elif displayed:
        _set(post, "title", displayed)
    elif headline:
        _set(post, "title", (headline, "jsonld:headline"))
    else:
        _set(post, "title", _undecorated_title(page, site))


def _undecorated_title(page: Page, site: str | None) -> tuple[str, str] | None:
    """The title of a page whose theme marks none: og:title, else a heading in the post that the comments feed's
    title or <title> confirms, else those declared titles, else the first h1 (never the bare site name)."""
    og_title = _strip_site(page.head.first_meta("og:title", "twitter:title"), site)
    if og_title and not _is_site(og_title, site):
        return og_title, "meta:og:title"
    html_title = _strip_site(_document_title(page), site, guess=True)
    declared = [(t, source) for t, source in ((_comment_feed_title(page), "wp-core:comment-feed-title"),
                                              (html_title, "html:title")) if t and not _is_site(t, site)]
    headings = [h for h in page.scope.iter("h1", "h2", "h3") if document.visible_text(h)]
    for text, source in declared:
        for heading in headings:
            shown = document.visible_text(heading)
            if _same(shown, text) or _shortened(text, shown):
                return shown, f"heuristic:heading+{source}"
    if declared:
        return declared[0]
    first_h1 = next((document.visible_text(h) for h in headings if h.tag == "h1"), None)
    return (first_h1, "heuristic:first-h1") if first_h1 else None


def _comment_feed_title(page: Page) -> str | None:
    """The post title inside its comments-feed link ("Site » Post title Comments Feed", localised)."""
    for _, link_type, title in page.head.links.get("alternate", ()):
        if link_type == "application/rss+xml" and "»" in title:
            rest = title.split("»", 1)[1].strip()
            stripped = _COMMENT_FEED_SUFFIX.sub("", rest).strip()
            if stripped and stripped != rest:
                return document.clean_text(stripped)
    return None


def _is_site(title: str, site: str | None) -> bool:
    """True when a title candidate is only the site's name."""
    return bool(site) and _same(title, site)


def _shortened(short: str, long: str) -> bool:
    """True when one title is the start of the other (an SEO title cut short: "X" for "X Worldwide")."""
    def norm(text: str) -> str:
        return re.sub(r"\W+", " ", text.casefold()).strip()
    a, b = norm(short), norm(long)
    return bool(a and b) and len(a) >= 20 and len(b) >= 20 and (b.startswith(a) or a.startswith(b))


def _confirmed(headline: str, displayed: str, page: Page, site: str | None) -> bool:
    """True when og:title or <title> agrees with the JSON-LD headline but not with the element the theme tables
    found (that element then belongs to something else on the page, e.g. a featured-posts block)."""
    for other in (page.head.first_meta("og:title"), _document_title(page)):
        other = _strip_site(other, site, guess=True)
        if other and _same(other, headline) and not _same(other, displayed):
            return True
    return False


def _displayed_title(page: Page) -> tuple[str, str] | None:
    """The title element of the theme, in the post container first."""
    for region in page.regions():
        for name, elements in themes.select(region, themes.TITLE, present=page.classes):
            for el in elements:
                text = document.visible_text(el)
                if text:
                    return text, f"theme:{name}"
    return None


def _same(a: str, b: str) -> bool:
    """Titles equal once case, quotes and spacing are normalised."""
    def norm(text: str) -> str:
        return re.sub(r"\W+", " ", text.casefold()).strip()
    return norm(a) == norm(b)


def _strip_site(title: str | None, site: str | None, guess: bool = False) -> str | None:
    """A title without its " – Site name" suffix (or, when guessing, without the last separated part)."""
    if not title:
        return None
    title = document.clean_text(title)
    for separator in _TITLE_SEPARATORS:
        if site and title.casefold().endswith((separator + site).casefold()) and len(title) > len(separator + site):
            return title[: -len(separator + site)].strip()
    if guess:
        for separator in _TITLE_SEPARATORS:
            if separator in title:
                return title.rsplit(separator, 1)[0].strip()
    return title


def _author(post: Post, page: Page) -> None:
    """Authors: JSON-LD article author(s), author meta, twitter:data1 "Written by", then theme bylines."""
    found: tuple[list[str], str] | None = None
    if page.article:
        names = ld_names(page.head, page.article.get("author"))
        if names:
            found = (names, "jsonld:author")
    if not found:
        meta_author = page.head.first_meta("author", "article:author_name", "parsely-author", "sailthru.author")
        if meta_author and not meta_author.startswith("http") and meta_author != post.site_name and \
                not _credited_for_the_theme(page, meta_author):   # not site-wide
            found = ([document.clean_text(meta_author)], "meta:author")
    if not found:
        label = (page.head.first_meta("twitter:label1") or "").strip().casefold()
        data = page.head.first_meta("twitter:data1")
        if label in WRITTEN_BY_LABELS and data:
            found = ([document.clean_text(data)], "meta:twitter:data1")
    displayed = _displayed_authors(page)
    if displayed and (not found or (len(displayed[0]) > len(found[0]) and found[0][0] in displayed[0])
                      or (found[1] == "meta:author" and found[0][0] not in displayed[0])):
        found = displayed   # (a byline the post shows beats a meta author, often a site-wide theme or SEO setting)
    if not found:
        found = _dateline_author(page, post.language) or _posted_by_author(page)
    if found:
        post.authors = found[0]
        _set(post, "author", (found[0][0], found[1]))
        post.sources["authors"] = found[1]


def _credited_for_the_theme(page: Page, name: str) -> bool:
    """True when the page credits this name with its theme or design ("Theme by X"): a theme's meta author."""
    pattern = rf"(?:theme|thème|design|template|vorlage)\s+(?:by|von|par|de|por|di|door)\s*:?\s*{re.escape(name)}"
    return bool(re.search(pattern, page.body.xpath("string()"), re.IGNORECASE))


def _dateline_author(page: Page, language: str | None) -> tuple[list[str], str] | None:
    """A name printed as plain text beside the date on a meta line: "11.09.2011, 16:20 von jo", "Ann Lee | 29.07.2006"
    (older themes print the_author() without a link). Only lines that hold a date and little else."""
    region = page.scope
    lines = _after_title(page) + [el for el in _META_ZONES(region)
                                  if _META_ZONE_WORDS.search(f"{el.get('class') or ''} {el.get('id') or ''}")
                                  and not themes.inside(el, region, themes.BOILERPLATE)]
    for line in lines:
        for el in [*line.iterdescendants("div", "p", "span", "small")][::-1] + [line]:   # innermost first
            text = document.visible_text(el)
            if not 0 < len(text) <= 80:
                continue
            match = _DATE_BY_NAME.fullmatch(text) or _NAME_BAR_DATE.fullmatch(text)
            if match and dates.text_date(match.group("date"), language):
                return [match.group("name")], "heuristic:dateline-byline"
    return None


def _posted_by_author(page: Page) -> tuple[list[str], str] | None:
    """A plain-text byline on the post's meta line without a date: "Posted by X under <category links>"."""
    for el in _META_ZONES(page.scope):
        if _META_ZONE_WORDS.search(f"{el.get('class') or ''} {el.get('id') or ''}") and \
                not themes.inside(el, page.scope, themes.BOILERPLATE):
            match = POSTED_BY.search(document.visible_text(el)[:400])
            if match:
                return [match.group("name")], "heuristic:posted-by-text"
    return None


def _displayed_authors(page: Page) -> tuple[list[str], str] | None:
    """Author names from the theme's byline markup (label words like "By"/"Par"/"Von" removed)."""
    for region in page.regions():
        for table, skip in ((themes.AUTHOR, themes.BOILERPLATE), (themes.AUTHOR_BOX, None)):
            for name, elements in themes.select(region, table, skip, page.classes):
                names = []
                for el in _byline_elements(elements, page.base_url):
                    shown = el.get("content", "") if el.tag == "meta" else document.visible_text(el)
                    text = AUTHOR_LABEL.sub("", document.clean_text(shown), count=1)
                    # single words ("Par", "Di") only off whole bylines: a name element holds the name ("Di Maria")
                    if name in themes.AUTHOR_CONTAINERS or table is themes.AUTHOR_BOX:
                        text = AUTHOR_PREFIX.sub("", text, count=1)
                    text = text.strip(" ,;:|·•")
                    if text and len(text) <= 80 and text not in names:
                        names.append(text)
                if names:
                    return names, f"theme:{name}"
    return None


def _byline_elements(elements: list[etree._Element], base_url: str | None) -> list[etree._Element]:
    """The author elements that name the post's authors: those inside the post when some are (a site header
    marked as an hCard is not a byline), never a card linking to the home page, one per author URL (an author
    box repeats the link as "Posts", "weiter"…), and a further link outside the byline only when it reads as a name."""
    in_post = [el for el in elements if _in_post_entry(el)]
    kept: list[etree._Element] = []
    seen_urls: set[str] = set()
    byline = None
    for el in in_post or elements:
        link = el if el.tag == "a" else next(el.iterancestors("a"), None)
        href = (link.get("href") or "").strip() if link is not None else ""
        if not href:
            kept.append(el)
            continue
        url = urljoin(base_url or "", href)
        author_url = urlsplit(url)._replace(query="", fragment="").geturl()
        if urlsplit(url).path in ("", "/") or author_url in seen_urls:
            continue
        line = next((a for a in link.iterancestors() if a.tag in document.BLOCK_TAGS), None)
        if byline is None:
            byline = line
        elif not _same_byline(line, byline) and not _reads_as_a_name(document.visible_text(link)):
            continue
        seen_urls.add(author_url)
        kept.append(el)
    return kept


def _same_byline(line: etree._Element | None, byline: etree._Element | None) -> bool:
    """True when a link's block is the byline's block or a sibling of it (co-authors in one span or div each)."""
    return line is byline or (line is not None and byline is not None and line.getparent() is byline.getparent())


def _in_post_entry(el: etree._Element) -> bool:
    """True when el sits in a post's own entry (an <article>, or post_class()'s hentry / post-N)."""
    for ancestor in el.iterancestors():
        classes = (ancestor.get("class") or "").split()
        if ancestor.tag == "article" or "hentry" in classes or (ancestor.get("id") or "").startswith("post-"):
            return True
    return False


def _reads_as_a_name(text: str) -> bool:
    """True for a text shaped like a person's full name: two to four capitalised words ("Jeffrey S. Passel")."""
    return bool(re.fullmatch(r"[A-ZÀ-Ý][\w.'’-]*(?:\s+[A-ZÀ-Ý][\w.'’-]*){1,3}", text.strip()))


def _categories(post: Post, page: Page) -> None:
    """Categories: the theme's category links (page order), then JSON-LD articleSection, article:section."""
    found = _term_links(page, themes.CATEGORY) or _unlinked_categories(page)
    if not found and page.article:
        names = ld_list(page.article.get("articleSection"))
        found = (names, "jsonld:articleSection") if names else None
    _set(post, "categories", found or _meta_terms(page, "article:section"))


def _tags(post: Post, page: Page) -> None:
    """Tags: the theme's tag lists, rel=tag links outside category lists, Yoast keywords, article:tag."""
    found = _term_links(page, themes.TAG) or _rel_tag_links(page) or (
        _term_links(page, themes.TAG_URL, post_only=True) if page.scope is not page.body else None)
    if not found and page.article and "yoast" in page.head.plugins:
        names = ld_list(page.article.get("keywords"))
        found = (names, "jsonld:keywords") if names else None
    _set(post, "tags", found or _meta_terms(page, "article:tag"))


def _meta_terms(page: Page, name: str) -> tuple[list[str], str] | None:
    """Term names from repeated <meta property="article:section|article:tag">, de-duplicated, page order."""
    names = [document.clean_text(v) for v in page.head.meta.get(name, []) if v.strip()]
    return (list(dict.fromkeys(names)), f"meta:{name}") if names else None


def _term_links(page: Page, table: list, post_only: bool = False) -> tuple[list[str], str] | None:
    """Names of the term links a selector table finds first (post container first), de-duplicated, page order."""
    content, _ = page.container()
    for region in page.regions()[:1] if post_only else page.regions():
        for name, elements in themes.select(region, table, present=page.classes):
            if name.endswith("-url") and content is not None:   # a link in the article text is not the post's term
                elements = [el for el in elements if content not in el.iterancestors()]
            if table is themes.CATEGORY:   # wp_list_categories() output is the site's category menu
                elements = [el for el in elements if not _in_site_category_list(el)]
            elif table is themes.TAG:   # a category link printed inside the tag list ("Read more: Cat, tag1…")
                elements = [el for el in elements if "category" not in (el.get("rel") or "").lower().split()]
            names = []
            for el in elements:
                text = document.visible_text(el).lstrip("#").strip(" ,;/|·•")
                if text and len(text) <= 100 and text not in names:
                    names.append(text)
            if names:
                return names, f"theme:{name}"
    return None


def _in_site_category_list(el: etree._Element) -> bool:
    """True for a link in core's category list (li.cat-item of wp_list_categories): a menu, not the post's terms."""
    return any(a.tag == "li" and "cat-item" in (a.get("class") or "").split() for a in el.iterancestors("li"))


def _unlinked_categories(page: Page) -> tuple[list[str], str] | None:
    """A category line printed without links ("Kategorien: Allgemein", WordPress.com themes for the default
    category): the text after its label, split on commas."""
    for region in page.regions():
        for name, elements in themes.select(region, themes.CATEGORY_LINES, present=page.classes):
            for el in elements:
                if el.find(".//a") is not None:
                    continue
                text = CATEGORY_LABEL.sub("", document.visible_text(el), count=1)
                names = [n.strip() for n in text.split(",") if n.strip()]
                if names and all(len(n) <= 60 for n in names):
                    return list(dict.fromkeys(names)), f"theme:{name}:text"
    return None


def _rel_tag_links(page: Page) -> tuple[list[str], str] | None:
    """Links with rel="tag" that are not category links (core get_the_tag_list)."""
    for region in page.regions():
        names = []
        for el in themes.REL_TAG(region):
            rel = (el.get("rel") or "").lower().split()
            href = el.get("href") or ""
            if "category" in rel or "/category/" in href or themes.inside(el, region, themes.BOILERPLATE_NOT_SHARING):
                continue
            if _in_category_list(el, region):
                continue
            text = document.visible_text(el).lstrip("#").strip()
            if text and text not in names:
                names.append(text)
        if names:
            return names, "wp-core:rel-tag"
    return None


def _in_category_list(el: etree._Element, region: etree._Element) -> bool:
    """True for a link inside a category container (Kadence, Blocksy, block themes mark categories rel=tag)."""
    return themes.inside(el, region, re.compile(r"categor|cat-links|meta-cat"))


def _dates(post: Post, page: Page) -> None:
    """Published and modified dates: JSON-LD, article meta, then the theme's <time> or text dates."""
    published_el = None
    for field_name, ld_key, meta_names, table in (
            ("published_at", "datePublished", ("article:published_time", "datepublished", "date", "dc.date"),
             themes.PUBLISHED),
            ("modified_at", "dateModified", ("article:modified_time", "og:updated_time", "datemodified"),
             themes.MODIFIED)):
        found = None
        for node, source in ((page.article, "jsonld:"), (page.webpage, "jsonld:WebPage.")):
            value = dates.iso(ld_text(node.get(ld_key))) if node else None
            if value:
                found = (value, source + ld_key)
                break
        if not found:
            value = dates.iso(page.head.first_meta(*meta_names))
            found = (value, "meta:" + next(n for n in meta_names if page.head.first_meta(n))) if value else None
        if not found:
            found, published_el = _displayed_date(page, table, published_el if field_name == "modified_at" else None,
                                                  post.language)
        if not found and field_name == "published_at":
            found = _date_near_the_post(page, post.language)   # (not the permalink's date: the page shows none)
        _set(post, field_name, found)


def _date_near_the_post(page: Page, language: str | None) -> tuple[str, str] | None:
    """A date printed as text where themes put it but outside the theme tables: meta lines (class words like
    date/datum/meta/byline/postmetadata), the lines right after the title, the line holding the author link."""
    for region in page.regions():
        for el in _META_ZONES(region):
            if _META_ZONE_WORDS.search(f"{el.get('class') or ''} {el.get('id') or ''}") and \
                    not themes.inside(el, region, themes.BOILERPLATE):
                value = _short_text_date(el, language, longest=400)   # "This entry was posted on … in …"
                if value:
                    return value, "heuristic:meta-line-text"
    for el in _after_title(page):
        value = _short_text_date(el, language)
        if value:
            return value, "heuristic:after-title-text"
    for link in themes.AUTHOR_LINKS(page.scope):
        line = next((a for a in link.iterancestors() if a.tag in document.BLOCK_TAGS), None)
        value = _short_text_date(line, language) if line is not None else None
        if value and not themes.inside(link, page.scope, themes.BOILERPLATE):
            return value, "heuristic:byline-text"
    return None


def _short_text_date(el: etree._Element, language: str | None, longest: int = 200) -> str | None:
    """The date a short meta line prints ("15. Januar 2015", "8.5.12"); None for long text (a paragraph)."""
    text = document.visible_text(el)
    return dates.text_date(text, language, short_years=True) if 0 < len(text) <= longest else None


def _after_title(page: Page) -> list[etree._Element]:
    """The few elements right after the post's title heading (a <small> or <p> under the h1 in older themes)."""
    heading = next((els[0] for _, els in themes.select(page.scope, themes.TITLE, present=page.classes)), None)
    if heading is None:
        heading = next(page.scope.iter("h1"), None)
    if heading is None:
        return []
    following = [el for el in heading.itersiblings() if isinstance(el.tag, str)][:3]
    parent = heading.getparent()
    if parent is not None and parent is not page.scope and len(parent.text_content()) == len(heading.text_content()):
        following += [el for el in parent.itersiblings() if isinstance(el.tag, str)][:3]   # title wrapper's next
    return [el for el in following if el.tag != "script" and not themes.inside(el, el.getparent(), themes.BOILERPLATE)]


def _displayed_date(page: Page, table: list, not_this: etree._Element | None = None, language: str | None = None
                    ) -> tuple[tuple[str, str] | None, etree._Element | None]:
    """A date from the theme's markup (machine attributes first, else the localised text) and its element;
    not_this skips the element already read as the publication date (a <time class="entry-date updated">)."""
    for region in page.regions():
        for name, elements in themes.select(region, table, present=page.classes):
            for el in elements:
                if el is not_this:
                    continue
                machine = el.get("datetime") or el.get("datetime-local") or el.get("content")
                value = dates.iso(machine) if machine else None
                if value:
                    return (value, f"theme:{name}"), el
                text = document.visible_text(el)
                value = dates.iso(text) if dates.looks_iso(text) else None   # Avada's hidden "updated" span
                if value:
                    return (value, f"theme:{name}"), el
                value = dates.text_date(text, language)
                if value:
                    return (value, f"theme:{name}:text"), el
    return None, None


def _featured_image(post: Post, page: Page) -> None:
    """The lead image URL: JSON-LD article image, og:image, then the theme's featured image element."""
    image = _ld_image(page, page.article, "image")
    url = (image.get("url") or image.get("contentUrl")) if isinstance(image, dict) else image
    if isinstance(url, str) and url.strip():
        _set(post, "featured_image", (urljoin(page.base_url or "", url.strip()), "jsonld:image"))
        return
    og_image = page.head.first_meta("og:image", "og:image:url", "og:image:secure_url", "twitter:image")
    if og_image:
        _set(post, "featured_image", (urljoin(page.base_url or "", og_image), "meta:og:image"))
        return
    for region in page.regions():
        for name, elements in themes.select(region, themes.FEATURED_IMAGE, present=page.classes):
            src = _image_source(elements[0])
            if src:
                _set(post, "featured_image", (urljoin(page.base_url or "", src), f"theme:{name}"))
                return


def _image_source(img: etree._Element) -> str | None:
    """An <img>'s real file: lazy-load data-* attributes, else src (placeholders skipped)."""
    for attribute in ("data-src", "data-lazy-src", "data-orig-file", "src"):
        value = (img.get(attribute) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return None


def _photo(post: Post, page: Page) -> None:
    """Lead-image caption and its credit: theme featured caption, JSON-LD image caption, first content figure."""
    caption_el, caption, source = _featured_caption(page)
    if caption is None:
        caption, source = _ld_image_caption(page)
    if caption is None:
        caption_el, caption, source = _lead_figure_caption(page)
    if caption is None and post.featured_image:
        caption_el, caption, source = _credit_line_in_content(page)
    if caption is not None:
        _set(post, "photo_caption", (caption, source))
        _set(post, "photo_credit", (credits.credit_from_caption(caption_el, caption), source))
    if post.photo_credit is None:
        _set(post, "photo_credit", _ld_image_credit(page))


def _featured_caption(page: Page) -> tuple[etree._Element | None, str | None, str | None]:
    """The caption the theme prints under the featured image; else a figure caption in the post container
    before its content (unknown themes)."""
    for region in page.regions():
        for name, elements in themes.select(region, themes.FEATURED_CAPTION, present=page.classes):
            text = document.visible_text(elements[0])
            if text:
                return elements[0], text, f"theme:{name}"
    container, _ = page.container()
    if container is None or page.scope is page.body or page.scope not in container.iterancestors():
        return None, None, None
    for el in page.scope.iter():
        if el is container:
            break
        if el.tag == "figcaption" and not themes.inside(el, page.scope, themes.BOILERPLATE):
            text = document.visible_text(el)
            if text:
                return el, text, "heuristic:figure-before-content"
    return None, None, None


def _ld_image(page: Page, node: dict[str, Any] | None, key: str) -> Any:
    """A JSON-LD node's image (the first of a list), @id references followed: a node, a URL or None."""
    image = page.head.resolve(node.get(key)) if node else None
    return page.head.resolve(image[0]) if isinstance(image, list) and image else image


def _ld_image_caption(page: Page) -> tuple[str | None, str | None]:
    """The JSON-LD primary image's caption (Yoast copies the attachment caption there)."""
    for node, key in ((page.article, "image"), (page.webpage, "primaryImageOfPage"), (page.webpage, "image")):
        image = _ld_image(page, node, key)
        caption = ld_text(image.get("caption")) if isinstance(image, dict) else None
        if caption:
            return caption, "jsonld:image.caption"
    return None, None


def _ld_image_credit(page: Page) -> tuple[str, str] | None:
    """The JSON-LD primary image's own credit: creditText, else copyrightHolder or author (name)."""
    for node, key in ((page.article, "image"), (page.webpage, "primaryImageOfPage"), (page.webpage, "image")):
        image = _ld_image(page, node, key)
        if not isinstance(image, dict):
            continue
        for credit_key in ("creditText", "copyrightHolder", "author"):
            names = ld_names(page.head, image.get(credit_key))
            if names:
                return ", ".join(names), f"jsonld:image.{credit_key}"
    return None


def _lead_figure_caption(page: Page) -> tuple[etree._Element | None, str | None, str | None]:
    """The caption of a figure that opens the content (before any paragraph of text): the lead image."""
    container, _ = page.container()
    if container is None:
        return None, None, None
    for el in container.iter("figure", "p", "div"):
        classes = el.get("class") or ""
        if el.tag == "p" and document.visible_text(el):
            return None, None, None
        if el.tag == "figure" or {"wp-caption", "media-credit-container"} & set(classes.split()):
            caption_el = el.find(".//figcaption")
            if caption_el is None:
                found = el.xpath('.//*[contains(concat(" ", normalize-space(@class), " "), " wp-caption-text ")]')
                caption_el = found[0] if found else None
            text = document.visible_text(caption_el) if caption_el is not None else ""
            return (caption_el, text, "wp-core:lead-figure") if text else _credit_line_after(el)
    return None, None, None


def _credit_line_in_content(page: Page) -> tuple[etree._Element | None, str | None, str | None]:
    """A post with a lead image but no caption, whose content opens or ends with a credit-only line
    ("Image illustrative : … by Name", "Photo : Reuters"): that line credits the lead image."""
    container, _ = page.container()
    if container is None:
        return None, None, None
    lines = [p for p in container.iter("p") if document.visible_text(p)]
    for line in dict.fromkeys(lines[:1] + lines[-1:]):
        text = document.visible_text(line)
        if _IMAGE_CREDIT_LINE.match(text) and credits.is_credit_line(text):   # not "Source : …" (a text source)
            return line, text, "heuristic:credit-line-in-content"
    return None, None, None


def _credit_line_after(figure: etree._Element) -> tuple[etree._Element | None, str | None, str | None]:
    """A caption-less lead image followed by a credit-only paragraph ("Photo : Reuters"): that line is its caption."""
    following = figure.getnext()
    if following is None or following.tag not in ("p", "div"):
        return None, None, None
    text = document.visible_text(following)
    if credits.is_credit_line(text):
        return following, text, "heuristic:credit-line-after-lead-figure"
    return None, None, None


def _comment_count(post: Post, page: Page) -> None:
    """Comment count: JSON-LD commentCount, then the theme's count texts, headings, listed comments, open form."""
    if page.article:
        value = page.article.get("commentCount")
        if isinstance(value, (int, str)) and str(value).strip().isdecimal():
            _set(post, "comment_count", (int(value), "jsonld:commentCount"))
            return
    count, source = comments.comment_count(page.scope, page.body, page.classes)
    if count is not None:
        post.comment_count = count
        post.sources["comment_count"] = source


def _excerpt(post: Post, page: Page) -> None:
    """The summary: JSON-LD description, meta description, og:description."""
    value = ld_text(page.article.get("description")) if page.article else None
    if value:
        _set(post, "excerpt", (value, "jsonld:description"))
        return
    for name in ("description", "og:description", "twitter:description"):
        value = page.head.first_meta(name)
        if value:
            _set(post, "excerpt", (document.clean_text(value), f"meta:{name}"))
            return


def _body(post: Post, page: Page) -> None:
    """The article content, cleaned, as HTML and as paragraph text."""
    container, source = page.container()
    if container is None:
        post.warnings.append("no article content found")
        return
    clean = body.clean_copy(container)
    _set(post, "body_html", (body.inner_html(clean), source))
    _set(post, "body_text", (body.paragraphs_text(clean), source))


_EXTRACTORS: list[tuple[str, Callable[[Post, Page], None]]] = [
    ("wp_id", _wp_id), ("title", _title), ("author", _author), ("categories", _categories), ("tags", _tags),
    ("dates", _dates), ("featured_image", _featured_image), ("photo", _photo), ("comment_count", _comment_count),
    ("excerpt", _excerpt), ("body", _body),
]
