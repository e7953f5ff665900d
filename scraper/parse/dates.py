"""Dates: machine-readable values normalised to ISO 8601, and dates printed only as localised text."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from dateutil import parser as dateutil_parser

from scraper.parse.words import MONTHS

_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_NUMERIC = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b|\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_SHORT_YEAR = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?![\d.])")
_WORDS = re.compile(r"[^\W\d_]+\.?|\d{1,4}(?:er|st|nd|rd|th|º|°)?", re.UNICODE)
#: Page languages that print numeric dates month first.
_MONTH_FIRST = {"en-us", "en"}
#: Two unrelated defaults: a part of the date missing from the text shows up as a difference between the readings.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))
_TIME = re.compile(r"\b(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?", re.IGNORECASE)


def iso(value: str | None) -> str | None:
    """A machine date (ISO 8601, RFC 822…) as ISO 8601, keeping its offset; None when unparseable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00")) if _ISO_LIKE.match(text) else None
    except ValueError:
        parsed = None
    if parsed is None:
        parsed = _complete_date(text)
        if parsed is None:
            return None
    if not 1990 <= parsed.year <= 2100:
        return None
    if len(text) <= 10 and _ISO_LIKE.match(text):
        return parsed.date().isoformat()
    return parsed.isoformat()


def _complete_date(text: str) -> datetime | None:
    """dateutil's reading of text when it names a whole date; None for partial dates ("June 2025", "Tuesday"),
    which dateutil would complete from today, so the same page would give another date tomorrow."""
    readings = []
    for default in _DEFAULTS:
        try:
            readings.append(dateutil_parser.parse(text, default=default))
        except (ValueError, OverflowError, TypeError):
            return None
    return readings[0] if readings[0] == readings[1] else None


def looks_iso(text: str) -> bool:
    """True for text that is an ISO 8601 date or date-time and nothing else."""
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
                             text.strip()))


def _fold(word: str) -> str:
    """Lower-case and strip accents and trailing dots, so 'Févr.' and 'fevr' meet in the month table."""
    word = word.lower().rstrip(".")
    return word if word in MONTHS else "".join(c for c in unicodedata.normalize("NFD", word)
                                               if not unicodedata.combining(c))


def text_date(text: str | None, language: str | None = None, short_years: bool = False) -> str | None:
    """A date printed as words in fr/en/de/es/it/pt/nl ("24 juin 2025", "June 24, 2025", "24. Juni 2025"), or
    numerically (2025-06-24, 24/06/2025), as ISO 8601 (date, plus time when printed); None when absent."""
    if not text:
        return None
    found = _numeric_date(text, month_first=(language or "").lower().replace("_", "-") in _MONTH_FIRST) or \
        _worded_date(text) or (_short_year_date(text) if short_years else None)
    if found is None:
        return None
    clock = _TIME.search(text)
    if clock:
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        meridiem = (clock.group(4) or "").lower().replace(".", "")
        hour = hour % 12 + (12 if meridiem == "pm" else 0) if meridiem else hour
        if hour < 24 and minute < 60:
            return datetime(found.year, found.month, found.day, hour, minute, second).isoformat()
    return found.isoformat()


def _numeric_date(text: str, month_first: bool = False) -> date | None:
    """2025-06-24, 2025/06/24 or 24/06/2025 (day first, as in every supported language but US English, where
    03/04/2025 is March 4; a number above 12 settles the order either way)."""
    match = _NUMERIC.search(text)
    if not match:
        return None
    if match.group(1):
        return _date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    first, second, year = int(match.group(4)), int(match.group(5)), int(match.group(6))
    if (month_first and first <= 12) or second > 12:
        first, second = second, first
    return _date(year, second, first)


def _short_year_date(text: str) -> date | None:
    """8.5.12 (day.month.two-digit year, as German bylines print it): only trusted where a date is expected."""
    match = _SHORT_YEAR.search(text)
    if not match:
        return None
    year = int(match.group(3))
    return _date(year + (2000 if year < 70 else 1900), int(match.group(2)), int(match.group(1)))


def _worded_date(text: str) -> date | None:
    """A day, a month name and a year near each other, in either order."""
    tokens = _WORDS.findall(text)
    for index, token in enumerate(tokens):
        month = MONTHS.get(_fold(token))
        if month is None:
            continue
        numbers = [int(re.match(r"\d+", t).group()) for t in tokens[max(0, index - 3):index + 4] if t[0].isdecimal()]
        years = [n for n in numbers if n >= 1000]
        days = [n for n in numbers if 1 <= n <= 31]
        if years and days:
            found = _date(years[0], month, days[0])
            if found:
                return found
    return None


def _date(year: int, month: int, day: int) -> date | None:
    """A valid date in a plausible range, else None."""
    if not 1990 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None

