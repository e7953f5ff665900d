"""Normalised comparison of post records: what counts as a real change in the archive."""
from __future__ import annotations

import html
import json
import re
import unicodedata
from datetime import datetime, timezone
from typing import Any

from scraper.record import TRACKED_FIELDS

#: Tracked fields stored as JSON arrays.
LIST_FIELDS = ("authors", "categories", "tags")
#: List fields whose order carries no meaning (compared as sets); authors' byline order matters.
UNORDERED_FIELDS = ("categories", "tags")
DATE_FIELDS = ("published_at", "modified_at")
INT_FIELDS = ("wp_id", "comment_count")

_SPACE = re.compile(r"\s+")
_SPACE_AROUND_TAGS = re.compile(r">\s+|\s+<")


def norm_text(value: Any) -> str | None:
    """Text with entities decoded, NFC, whitespace collapsed and trimmed; '' becomes None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", html.unescape(str(value)))
    text = _SPACE.sub(" ", text).strip()
    return text or None


def norm_html(value: Any) -> str | None:
    """HTML compared like text, also ignoring whitespace next to tags (indentation changes are no edit)."""
    text = norm_text(value)
    if text is None:
        return None
    return _SPACE_AROUND_TAGS.sub(lambda m: m.group(0).strip(), text) or None


def norm_date(value: Any) -> str | None:
    """The instant in UTC when the date has an offset (so +02:00 and Z forms compare equal), else the text."""
    text = norm_text(value)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(timezone.utc).isoformat()


def norm_list(value: Any, ordered: bool) -> tuple[str, ...]:
    """A list of names normalised item by item, duplicates and blanks dropped; sorted unless order matters."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = json.loads(value) if value.startswith("[") else [value]
    items: list[str] = []
    for item in value:
        text = norm_text(item)
        if text is not None and text.casefold() not in {i.casefold() for i in items}:
            items.append(text)
    return tuple(items) if ordered else tuple(sorted(items, key=str.casefold))


def norm_int(value: Any) -> int | None:
    """An integer or None (numbers stored as text compare equal to numbers)."""
    if value is None or value == "":
        return None
    return int(value)


def normalise(field: str, value: Any) -> Any:
    """The comparable form of one tracked field's value."""
    if field in LIST_FIELDS:
        return norm_list(value, ordered=field not in UNORDERED_FIELDS)
    if field in INT_FIELDS:
        return norm_int(value)
    if field in DATE_FIELDS:
        return norm_date(value)
    if field == "body_html":
        return norm_html(value)
    return norm_text(value)


def same(field: str, old: Any, new: Any) -> bool:
    """True when two values of a field are the same after normalisation (cheap exact check first)."""
    if old == new:
        return True
    if field in DATE_FIELDS:
        return same_date(old, new)
    return normalise(field, old) == normalise(field, new)


def same_date(old: Any, new: Any) -> bool:
    """Dates equal as instants; a date printed without an offset equals one with an offset when its clock
    reading is the same (a template that stops printing the offset is no edit of the post)."""
    if normalise("published_at", old) == normalise("published_at", new):
        return True
    moments = []
    for value in (old, new):
        try:
            moments.append(datetime.fromisoformat(norm_text(value) or ""))
        except ValueError:
            return False
    first, second = moments
    if (first.tzinfo is None) == (second.tzinfo is None):
        return False
    return first.replace(tzinfo=None) == second.replace(tzinfo=None)


def changed_fields(stored: dict[str, Any], incoming: dict[str, Any], fields: tuple[str, ...] = TRACKED_FIELDS) -> list[str]:
    """Names of the tracked fields whose normalised values differ, in TRACKED_FIELDS order."""
    return [f for f in fields if not same(f, stored.get(f), incoming.get(f))]


def discrepancies(page: dict[str, Any], api: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields where the page and the REST API both say something and disagree, after normalisation.

    A field only one side has is not a disagreement (the API's value is in api_data anyway)."""
    found: dict[str, dict[str, Any]] = {}
    for field, api_value in api.items():
        page_value = page.get(field)
        if isinstance(page_value, str) and field in LIST_FIELDS:
            page_value = json.loads(page_value)
        if field not in TRACKED_FIELDS or api_value in (None, [], "") or page_value in (None, [], ""):
            continue
        try:
            equal = same(field, page_value, api_value)
        except (TypeError, ValueError):  # e.g. a non-numeric comment_count from a misbehaving API
            equal = False
        if not equal:
            found[field] = {"page": page_value, "api": api_value}
    return found
