"""The article content: find its container, drop what is not the article, and render HTML and paragraph text."""
from __future__ import annotations

import copy
import re

from lxml import etree, html

from scraper.parse import themes
from scraper.parse.document import BLOCK_TAGS, SKIP_TEXT_TAGS, is_screen_reader, visible_text
from scraper.parse.words import SEE_ALSO

#: Tags never part of an article's content (interactive or invisible).
DROP_TAGS = {"script", "style", "noscript", "template", "form", "button", "input", "select", "textarea", "nav",
             "iframe", "object", "embed", "svg", "canvas", "dialog"}
#: Class/id words of non-article blocks inside content areas: sharing, related posts, ads, author boxes… (also
#: print-only copies "print-content"/"desc-print", author boxes named "auteur", a bare "comments" block, and
#: WordPress.com's ad notice div.wpa).
JUNK = re.compile(
    r"(?:^|[\s_-])(?:sharedaddy|share|sharing|social|jp-relatedposts|related|yarpp|crp_related|addtoany|a2a_|author-?box|"
    r"author-?bio|about-?author|saboxplugin|comments?-area|comment-respond|(?:^|[\s_-])ads?(?:$|[\s_-])|adsbygoogle|"
    r"advert|code-block-\d|ai-viewport|sponsor|newsletter|mc4wp|subscribe|post-navigation|nav-links|page-links|"
    r"breadcrumb|ez-toc|toc_container|wp-block-post-comments|post-tags|tags-links|printfriendly|wpcnt|"
    r"inline-related|read-more-links|heateor|shared-counts|swp_social|essb_|mashsb|sumome|wp-embedded-content|"
    r"likes-widget|kk-star|post-ratings|wpulike|advads|adrotate|ad-container|ad-slot|rp4wp|lwptoc|tnp-subscription|"
    r"jp-post-flair|post-views|wp-block-jetpack-subscriptions|entry-meta|entry-?footer|post-meta|byline|postmetadata|"
    r"post-footer|navigation|auteur|author[-_]?(?:after|info)|print(?:$|[\s_-])|comments(?:$|\s)|wpa(?:$|\s))",
    re.IGNORECASE,
)
#: Inline styles that hide an element (print-only copies of the title or standfirst, collapsed boxes).
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: Ids of non-article blocks, matched whole: ids elsewhere are anchors made from the text ("h-social-security").
JUNK_IDS = {"jp-relatedposts", "jp-post-flair", "comments", "respond", "sharing", "toc_container", "ez-toc-container",
            "related-posts", "share-buttons", "social-share", "author-box", "post-navigation"}
#: Headings and other text elements are never dropped for their class: only the blocks around them are sharing,
#: related posts… (paragraphs are not exempt: core prints page links as <p class="post-nav-links">).
TEXT_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "table", "tr", "td", "th", "dt", "dd",
             "strong", "em", "b", "i"}
#: post_class() term tokens ("tag-social-media") are not block names. Unlike themes._NOT_REGION_NAMES, "post-…"
#: tokens stay: post-navigation, post-meta and post-tags are exactly the blocks JUNK names.
_TERM_CLASSES = re.compile(r"(?:^|\s)(?:category|tag|post_tag|format|type|status)-\S+")
#: A content element with less text than this is double-checked against the paragraph-density heuristic.
SHORT_CONTENT = 200
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-orig-file")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


def find_container(scope: etree._Element, present: set[str] | None = None
                   ) -> tuple[etree._Element | None, str | None]:
    """The element holding the post content and the strategy that found it."""
    for name, elements in themes.select(scope, themes.BODY, present=present):
        found = elements[0]
        if len(found.text_content().strip()) < SHORT_CONTENT:   # an empty or teaser box with the same class?
            densest = _densest_paragraph_parent(scope)
            if densest is not None and len(densest.text_content()) > 3 * len(found.text_content()):
                return densest, "heuristic:paragraph-density"
        return found, f"theme:{name}"
    densest = _densest_paragraph_parent(scope)
    return (densest, "heuristic:paragraph-density") if densest is not None else (None, None)


def _densest_paragraph_parent(scope: etree._Element) -> etree._Element | None:
    """The deepest element holding most (70 %) of the paragraph text outside boilerplate (generic fallback for
    unknown markup; page builders split one article over several sections, so direct parents are not enough).
    When that element holds several h1, infinite scroll has appended the next posts: only the paragraphs after
    the first h1 that heads real text are the post's."""
    paragraphs: list[tuple[etree._Element, int, int]] = []   # (paragraph, its size, how many h1 came before it)
    headings = 0
    for el in scope.iter("p", "h1"):
        if themes.inside(el, scope, themes.NOT_ARTICLE_TEXT):
            continue
        if el.tag == "h1":
            headings += 1
        else:
            paragraphs.append((el, len(el.text_content().strip()), headings))
    best = _densest(paragraphs)
    if best is None or _count(best, "h1", 2) < 2:
        return best
    sizes: dict[int, int] = {}
    for _, size, group in paragraphs:
        sizes[group] = sizes.get(group, 0) + size
    first = next((group for group in sorted(sizes) if sizes[group] >= 200), None)
    own = _densest([p for p in paragraphs if p[2] == first])
    return own if own is not None else best


def _densest(paragraphs: list[tuple[etree._Element, int, int]]) -> etree._Element | None:
    """The deepest common ancestor holding 70 % of these paragraphs' text (None under 200 characters)."""
    totals: dict[etree._Element, int] = {}
    depths: dict[etree._Element, int] = {}
    for paragraph, size, _ in paragraphs:
        ancestors = list(paragraph.iterancestors())
        for depth, ancestor in enumerate(reversed(ancestors)):
            totals[ancestor] = totals.get(ancestor, 0) + size
            depths[ancestor] = depth
    overall = max(totals.values(), default=0)
    if overall < 200:
        return None
    holding = [el for el, size in totals.items() if size >= 0.7 * overall]
    return max(holding, key=lambda el: depths[el])


def _count(el: etree._Element, tag: str, enough: int) -> int:
    """How many descendants named tag el holds, counting no further than enough."""
    found = 0
    for _ in el.iterdescendants(tag):
        found += 1
        if found >= enough:
            break
    return found


def clean_copy(container: etree._Element) -> etree._Element:
    """A copy of the container without scripts, forms, sharing, related posts, ads, author boxes and SR labels."""
    clean = copy.deepcopy(container)
    clean.tail = None
    doomed = [el for el in clean.iter() if not isinstance(el.tag, str) or (el is not clean and _not_content(el))]
    for el in doomed:
        _drop(el)
    for el in _trailing_see_also(clean):   # (after the drops: ads and share buttons often follow the list)
        _drop(el)
    for el in clean.iter("img"):
        _unlazy(el)
    for el in clean.iter():
        for attribute in [a for a in el.attrib if a == "style" or a.startswith("on")]:
            del el.attrib[attribute]
    return clean


def _not_content(el: etree._Element) -> bool:
    """True for an element that is never article content: interactive or hidden, a screen-reader label, a junk
    block (sharing, related posts, ads…) or an aside column."""
    return (el.tag in DROP_TAGS or is_screen_reader(el) or _is_junk(el) or _is_aside(el)
            or bool(_HIDDEN.search(el.get("style") or "")))


def _drop(el: etree._Element) -> None:
    """Remove an element and its subtree, keeping the text that follows it."""
    if el.getparent() is not None:
        el.drop_tree() if isinstance(el, html.HtmlElement) else el.getparent().remove(el)


def _is_aside(el: etree._Element) -> bool:
    """True for an <aside> in the content (a widget column or teaser box), unless it holds the post's own terms."""
    return el.tag == "aside" and not themes.POST_META_ASIDE.search(el.get("class") or "")


def _trailing_see_also(clean: etree._Element) -> list[etree._Element]:
    """The "See also" / "Siehe auch" link list closing the content (one paragraph, or a label and a list):
    other posts of the site, not this one's text. Only mostly-link blocks that open with such a label."""
    last = _last_text_block(clean)
    if last is None or last is clean:
        return []
    if SEE_ALSO.match(visible_text(last)) and _mostly_links(last, skip_label=True):
        return [last]
    label = next((el for el in last.itersiblings(preceding=True) if isinstance(el.tag, str) and visible_text(el)),
                 None)
    if last.tag in ("ul", "ol") and label is not None and SEE_ALSO.fullmatch(visible_text(label)) and \
            _mostly_links(last):
        return [label, last]
    return []


def _last_text_block(el: etree._Element) -> etree._Element | None:
    """The last block holding text at the end of el, descending through wrapper divs."""
    children = [c for c in el if isinstance(c.tag, str) and c.tag not in DROP_TAGS and visible_text(c)]
    if not children:
        return None
    last = children[-1]
    if (last.tail or "").strip():
        return None
    if last.tag in ("div", "section") and not SEE_ALSO.match(visible_text(last)):
        return _last_text_block(last)
    return last


def _mostly_links(el: etree._Element, skip_label: bool = False) -> bool:
    """True when 80 % of el's text (its label aside) is the text of two or more links."""
    links = [visible_text(a) for a in el.iter("a")]
    text = visible_text(el)
    if skip_label:
        match = SEE_ALSO.match(text)
        text = text[match.end():] if match else text
    linked = sum(len(t) for t in links)
    return len([t for t in links if t]) >= 2 and linked >= 0.8 * len(text.strip())


def _is_junk(el: etree._Element) -> bool:
    """True for a block whose class tokens (or a known id) name sharing, related posts, ads, author boxes…"""
    if el.tag in TEXT_TAGS:
        return False
    if (el.get("id") or "").strip().lower() in JUNK_IDS:
        return True
    classes = el.get("class")
    return bool(classes) and bool(JUNK.search(_TERM_CLASSES.sub(" ", classes)))


def _unlazy(img: etree._Element) -> None:
    """Point a lazy-loaded image's src at the real file (lazy-load plugins park it in data-* attributes)."""
    src = img.get("src") or ""
    if not src or src.startswith("data:"):
        for attribute in _LAZY_SRC:
            if img.get(attribute):
                img.set("src", img.get(attribute))
                return


def inner_html(el: etree._Element) -> str:
    """The serialised children of an element (its content without the wrapper)."""
    parts = [el.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in el)
    return "".join(parts).strip()


def paragraphs_text(el: etree._Element) -> str:
    """Readable text: one paragraph per block element, blank lines between paragraphs, <br> as a line break."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in "".join(current).split("\n"))
        text = re.sub(r"\n{2,}", "\n", text).strip()
        if text:
            paragraphs.append(text)
        current.clear()

    walker = etree.iterwalk(el, events=("start", "end"))
    for event, node in walker:
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in SKIP_TEXT_TAGS or not tag:
                walker.skip_subtree()
                continue
            if tag == "br":
                current.append("\n")
            elif tag in BLOCK_TAGS:
                flush()
            if node.text:
                current.append(node.text.replace("\n", " "))
        else:
            if tag in BLOCK_TAGS and tag != "br":
                flush()
            if node is not el and node.tail:
                current.append(node.tail.replace("\n", " "))
    flush()
    return "\n\n".join(paragraphs)
