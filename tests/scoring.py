"""Scoring helpers shared by the parser's WordPress-truth tests and bench/parse_accuracy.py."""
from __future__ import annotations

import collections
import re


def untexturize(value):
    """Typographic apostrophes as ASCII ones, in strings and lists of strings (block themes texturize names)."""
    if isinstance(value, str):
        return value.replace("’", "'")
    if isinstance(value, list):
        return [untexturize(v) for v in value]
    return value


def tokens(text: str | None) -> collections.Counter:
    """Word tokens, lower-cased."""
    return collections.Counter(re.findall(r"\w+", (text or "").lower()))


def token_f1(expected: str | None, got: str | None) -> float:
    """Bag-of-words F1 of got against expected."""
    want, have = tokens(expected), tokens(got)
    common = sum((want & have).values())
    if not common:
        return float(not want and not have)
    precision, recall = common / sum(have.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)
