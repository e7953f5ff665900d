"""Photo credits: split a lead-image caption into the credit without its label ("Photo : @OTAN" -> "@OTAN")."""
from __future__ import annotations

import re

from lxml import etree
from lxml.cssselect import CSSSelector

from scraper.parse.document import clean_text, visible_text
from scraper.parse.words import CREDIT_LABELS

#: Elements that hold only the credit (Media Credit plugin, Newspack Image Credits, common theme classes).
CREDIT_ELEMENTS = CSSSelector(".image-credit, .media-credit, .wp-media-credit, .photo-credit, .credit, "
                              ".caption-credit, .wp-caption-credit, .figure-credit")
_LABEL_WORDS = "|".join(re.escape(label) for label in CREDIT_LABELS)
#: A label followed by ":" (or "by/de/di"-style labels that already end with a preposition), then the credit.
_LABELLED = re.compile(rf"(?:^|[\s.,;(\[|/–—-])(?:{_LABEL_WORDS})\s*(?::|-|–|—|/(?=\S))\s*(?P<credit>.+)$",
                       re.IGNORECASE)
_PREPOSITION_LABEL = re.compile(
    r"(?:^|[\s.,;(\[|/–—-])(?:(?:photo|photos|image|picture|foto|fotos|photograph)\s+(?:by|de|di|von|door|par)|"
    r"(?:(?:photo|image|picture)\s+)?courtesy(?:\s+of)?)\s+(?P<credit>.+)$", re.IGNORECASE)
#: A label without colon, then a capitalised name at the end: "… Photo Ludovic Marin / AFP", "PHOTO AFP".
_BARE_LABEL = re.compile(r"(?:^|[.!?]\s+|\s[-–—|/]\s)(?i:photos?|fotos?|crédits?|credits?|bild|imagen|image|ph\.)\s+"
                         r"(?P<credit>[A-ZÀ-Ý@©][^.]{1,60})$")
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?P<credit>.+)$", re.IGNORECASE)
_HANDLE = re.compile(r"(?:^|\s)(?P<credit>@[\w.]+)\s*$")
_PARENTHESISED = re.compile(r"\((?P<credit>[^()]{2,60})\)\s*\.?$")
_AGENCIES = re.compile(
    r"\b(?:AFP|AP|Reuters|EPA|dpa|Getty(?: Images)?|ANSA|EFE|Lusa|Keystone|Belga|ANP|Shutterstock|iStock(?:photo)?|"
    r"Unsplash|Pexels|Pixabay|Wikimedia(?: Commons)?|Wikipedia|Adobe Stock|Sipa|Maxppp|Abaca|DR|Imago|picture alliance|"
    r"Alamy|Bloomberg|Xinhua|NurPhoto|Hans Lucas|Europa Press|LaPresse|Agência Brasil)\b")
#: A line that is only a credit: it starts with a label ("Photo : …", "©…", "Foto di …").
_CREDIT_LINE = re.compile(rf"^\s*(?:©|\(c\)|copyright\b|(?:{_LABEL_WORDS})\s*(?::|-|–|—)|"
                          r"(?:photo|photos|image|foto|fotos)\s+(?:by|de|di|von|door|par)\b)", re.IGNORECASE)
#: Words after "photo by" that describe the picture rather than name its author.
_DESCRIPTIVE_AFTER_BY = {"night", "day", "drone", "satellite", "moonlight", "candlelight", "the", "a", "an"}
_RIGHTS_RESERVED = re.compile(
    r"[\s.,;-]*\b(?:all rights reserved|tous droits réservés|alle rechte vorbehalten|todos los derechos reservados|"
    r"tutti i diritti riservati|todos os direitos reservados|alle rechten voorbehouden)\.?\s*$", re.IGNORECASE)
_LICENCE = re.compile(r"[\s,.;-]*\b(?:en\s+licence|sous\s+licence|under\s+(?:a\s+)?(?:CC|creative\s+commons)|"
                      r"licensed\s+under|unter\s+(?:der\s+)?lizenz|bajo\s+licencia|con\s+licenza|"
                      r"sob\s+licença)\b.*$", re.IGNORECASE)
_DR = re.compile(r"(?:^|[\s.])(?:photo\s+)?(DR|D\.R\.)\s*\.?$", re.IGNORECASE)


def credit_from_caption(caption_el: etree._Element | None, caption: str | None) -> str | None:
    """The credit in a caption: a dedicated credit element (in the caption or beside it in its figure, as the
    Media Credit plugin prints it), else a labelled tail, ©, @handle or "(AFP)"."""
    if caption_el is not None:
        parent = caption_el.getparent()
        in_figure = parent is not None and (parent.tag == "figure" or "wp-caption" in (parent.get("class") or ""))
        for el in CREDIT_ELEMENTS(parent if in_figure else caption_el):
            text = visible_text(el)
            if text:
                return _strip_label(text) or text
    return credit_from_text(caption)


def credit_from_text(caption: str | None) -> str | None:
    """The credit in a caption's text, label removed; None when the caption names no credit."""
    text = clean_text(caption)
    if not text:
        return None
    for pattern in (_LABELLED, _PREPOSITION_LABEL, _COPYRIGHT, _BARE_LABEL):
        match = _last_match(pattern, text)
        if match and pattern in (_PREPOSITION_LABEL, _COPYRIGHT) and not _looks_like_a_name(match):
            continue   # "Photo de famille du G7", "Image de synthèse", "by night", "Copyright free image"
        if match:
            credit = _tidy(match.group("credit"))
            if credit and pattern is _COPYRIGHT:
                credit = _tidy(re.sub(r"^(?:19|20)\d{2}\b[\s,.-]*", "", credit))   # "© 2024 John Doe"
            if credit:
                return credit
    for pattern in (_HANDLE, _DR):
        match = pattern.search(text)
        if match:
            return _tidy(match.group(1) if pattern is _DR else match.group("credit"))
    match = _PARENTHESISED.search(text)
    if match and (_AGENCIES.search(match.group("credit")) or "photo" in match.group("credit").lower()):
        return _strip_label(match.group("credit")) or _tidy(match.group("credit"))
    tail = re.split(r"\s+[/|]\s+", text)
    if len(tail) > 1 and _AGENCIES.search(tail[-1]) and len(tail[-1]) <= 60:
        return _tidy(tail[-1])
    if len(text) <= 40 and _AGENCIES.search(text):   # the caption is only the credit: "Reuters/John Smith"
        return _tidy(text)
    return None


def _looks_like_a_name(match: re.Match[str]) -> bool:
    """True for what can follow "Photo de/by" or "©": a name, a handle or a year, a few words long, with no date.
    After "de/di/par/von/door" or "©" a lower-case word is a description ("photo de famille", "copyright free");
    after "by" only a few words are ("photo by night": names in other scripts may be lower case)."""
    credit = match.group("credit")
    words = credit.split()
    if not words or len(words) > 8 or re.search(r"\b\d{1,2}(?:er)?\s+\w+\s+(?:19|20)\d{2}\b", credit):
        return False
    if not words[0][0].islower():
        return True
    after_by = re.search(r"\bby\s*$", match.group(0)[: match.start("credit") - match.start(0)], re.IGNORECASE)
    return bool(after_by) and words[0].lower().strip(",.") not in _DESCRIPTIVE_AFTER_BY


def is_credit_line(text: str) -> bool:
    """True for a short line that is only a photo credit ("Photo : Reuters", "© AFP"), as printed under images."""
    return len(text) <= 120 and bool(_CREDIT_LINE.match(text)) and credit_from_text(text) is not None


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The match starting furthest right, so "Photo: A. Photo: B" yields B, the one next to the credit."""
    match = pattern.search(text)
    while match:
        later = pattern.search(text, match.start() + 1)
        if not later:
            return match
        match = later
    return None


def _strip_label(text: str) -> str | None:
    """A credit element's text without a leading label ("Credit: X" -> "X")."""
    for pattern in (_LABELLED, _PREPOSITION_LABEL, _COPYRIGHT, _BARE_LABEL):
        match = pattern.search(text)
        if match:
            return _tidy(match.group("credit"))
    return None


def _tidy(credit: str) -> str | None:
    """Trim wrapping punctuation, "All rights reserved" and licence tails around a credit; of a Flickr-style
    attribution ("Work title by Name"), keep the name."""
    credit = _LICENCE.sub("", _RIGHTS_RESERVED.sub("", clean_text(credit))).strip(" .;,")
    by = re.search(r"\s+by\s+(?P<name>[A-ZÀ-Ý@][^,;]{1,60})$", credit.strip(" .;,"))
    if by:
        credit = by.group("name")
    if credit.endswith(")") and credit.count("(") < credit.count(")"):
        credit = credit[:-1].rstrip(" .;,")
    credit = credit.strip(" .;,")
    return credit or None
