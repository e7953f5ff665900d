"""Comment counts: localised count texts, comment headings, listed comments and open comment forms."""
from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from scraper.parse import themes
from scraper.parse.document import visible_text
from scraper.parse.words import COMMENT_NOUNS, COMMENTS_CLOSED, LEAVE_A_COMMENT, ONE_COMMENT, ZERO_COMMENTS

_INTEGER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ .,\u00a0\u202f]\d{3})+|\d+)(?![\w%])")
#: A link that is only a count and its noun ("82 COMMENTS", "3 Kommentare"), wherever it points (forum threads).
_COUNT_LINK = re.compile(r"\d{1,3}(?:[.,]\d{3})*\s+(?:comments?|kommentare?|commentaires?|comentarios?|commenti|"
                         r"comentários?|reacties|responses?|replies|réponses?|antworten|respuestas|risposte|respostas)",
                         re.IGNORECASE)
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_QUOTED = re.compile(r"[“«„\"‘'].*$")
_COMMENTS_BLOCK = etree.XPath(".//*[@id='comments']")
_COMMENT_ANCHORS = etree.XPath(".//*[starts-with(@id, 'comment-')]")
_COMMENT_ID = re.compile(r"comment-\d+")


def count_from_text(text: str, needs_noun: bool = False, call_to_action_is_zero: bool = True) -> int | None:
    """The comment count a text states ("0 commentaire", "Keine Kommentare", "One thought on …"), or None.

    "Leave a comment" means 0 in a count link (themes print it instead of "0 Comments") but not in a heading,
    where it is the comment form's title whatever the count."""
    text = _QUOTED.sub("", text).strip()   # the post title quoted in "3 thoughts on “Top 10”" is not a count
    if not text or (needs_noun and not COMMENT_NOUNS.search(text)):
        return None
    if LEAVE_A_COMMENT.search(text):
        return 0 if call_to_action_is_zero else None
    if ZERO_COMMENTS.search(text) or COMMENTS_CLOSED.search(text):
        return 0
    match = _INTEGER.search(text)
    if match:
        return int(re.sub(r"\D", "", match.group(1)))
    if ONE_COMMENT.search(text):
        return 1
    return None


def comment_count(scope: etree._Element, page: etree._Element, present: set[str] | None = None
                  ) -> tuple[int | None, str | None]:
    """(count, strategy): meta count links, then comment headings, then listed comments, then an open form.
    Each strategy is tried in the post container first, then on the whole page."""
    for strategy in _STRATEGIES:
        for region in _comment_regions(scope, page):
            found = strategy(region, present)
            if found is not None:
                return found
    return None, None


def _theme_count(region: etree._Element, present: set[str] | None) -> tuple[int, str] | None:
    """A count the theme prints in its meta (count links, microdata, data attributes)."""
    for name, elements in themes.select(region, themes.COMMENT_COUNT, themes.BOILERPLATE_NOT_COMMENTS, present):
        for el in elements:
            if el.get("id") == "cancel-comment-reply-link" or _HIDDEN.search(el.get("style") or ""):
                continue   # core's hidden "click here to cancel the reply" link
            value = el.get("content") or el.get("data-comments-count")
            count = int(value) if value and value.strip().isdecimal() else count_from_text(
                visible_text(el), needs_noun=name.endswith("anchor"))
            if count is not None:
                return count, f"theme:{name}"
    return None


def _count_link(region: etree._Element, present: set[str] | None) -> tuple[int, str] | None:
    """A link that is only a count and its noun ("82 COMMENTS"), outside boilerplate regions."""
    for link in region.iter("a"):
        text = visible_text(link)
        if _COUNT_LINK.fullmatch(text) and not themes.inside(link, region, themes.BOILERPLATE_NOT_SHARING):
            return int(re.sub(r"\D", "", text.split()[0])), "heuristic:count-link"
    return None


def _heading_count(region: etree._Element, present: set[str] | None) -> tuple[int, str] | None:
    """The count in the comment area's heading ("3 thoughts on …"); a form title is no count."""
    for name, elements in themes.select(region, themes.COMMENT_HEADING, None, present):
        for el in elements:
            count = count_from_text(visible_text(el), needs_noun=True, call_to_action_is_zero=False)
            if count is not None:
                return count, f"theme:{name}"
    return None


def _listed_count(region: etree._Element, present: set[str] | None) -> tuple[int, str] | None:
    """How many comments core's comment list (or the block theme's comment template) holds."""
    lists = themes.COMMENT_LIST(region)
    return (len(themes.COMMENT_ITEMS(lists[0])), "wp-core:comment-list") if lists else None


def _anchored_count(region: etree._Element, present: set[str] | None) -> tuple[int, str] | None:
    """How many comments the comments block marks with core's id="comment-N" anchors (none: no count)."""
    anchored = _anchored_comments(region)
    return (anchored, "wp-core:comment-id-anchors") if anchored else None


def _open_form_count(region: etree._Element, present: set[str] | None) -> tuple[int, str] | None:
    """0 when an open comment form shows no comment."""
    return (0, "wp-core:open-comment-form") if themes.COMMENT_FORM(region) else None


_STRATEGIES: tuple[Callable[[etree._Element, set[str] | None], tuple[int, str] | None], ...] = (
    _theme_count, _count_link, _heading_count, _listed_count, _anchored_count, _open_form_count)


def _anchored_comments(region: etree._Element) -> int:
    """How many comments the comments block lists by core's anchors alone (id="comment-N" on any element):
    templates with their own markup (div.commentEntry) still print comment_ID there."""
    ids = {el.get("id") for block in _COMMENTS_BLOCK(region) for el in _COMMENT_ANCHORS(block)}
    return len({i for i in ids if _COMMENT_ID.fullmatch(i)})


def _comment_regions(scope: etree._Element, page: etree._Element) -> list[etree._Element]:
    """Where comments may sit: inside the post container, else anywhere on the page (themes print them after it)."""
    return [scope] if scope is page else [scope, page]
