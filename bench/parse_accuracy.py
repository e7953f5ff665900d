"""Accuracy: scraper's parse() and trafilatura, field by field, against the truth WordPress reports.

Usage: python3 bench/parse_accuracy.py [FIXTURE_ROOT]   (default: tests/fixtures/wordpress)
Each set under the root holds truth.json and posts/*.html.gz as written by tests/wordpress/capture.py. A field counts
as right when it equals the truth where the page shows it and is empty where it does not (the capture's on_page
flags: block themes print no featured-image caption; the truth's own value also counts, as that substring check
misses names WordPress texturized); titles, names and terms compare with typographic apostrophes
folded to ASCII (WordPress texturizes them on display),
dates as instants for scraper and as calendar days for trafilatura, which keeps no time); body is token F1 against
the rendered content of the page. Prints one JSON object per set and a total.
"""
from __future__ import annotations

import collections
import gzip
import json
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from scoring import token_f1, untexturize  # noqa: E402
FIELDS = ("title", "author", "categories", "published_at", "comment_count", "photo_credit")


def scraper_fields(page: bytes) -> dict:
    """The compared fields from scraper's parse()."""
    from scraper.parse import parse

    post = parse(page)
    return {name: getattr(post, name) for name in FIELDS} | {"body": post.body_text}


def trafilatura_fields(page: bytes) -> dict:
    """The same fields from trafilatura (it has no comment count or photo credit: those stay None)."""
    import trafilatura

    doc = trafilatura.bare_extraction(page, with_metadata=True)
    doc = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
    return {"title": doc.get("title"), "author": doc.get("author"), "categories": doc.get("categories") or [],
            "published_at": doc.get("date"), "comment_count": None, "photo_credit": None, "body": doc.get("text")}


def right(name: str, want, got, day_only: bool) -> bool:
    """One field compared with the truth."""
    if name == "published_at":
        if not got:
            return False
        if day_only:
            return got[:10] == want[:10]
        return datetime.fromisoformat(got) == datetime.fromisoformat(want)
    return untexturize(got) == untexturize(want)


def evaluate(folder: Path) -> dict:
    """Per-field accuracy and mean body F1 of both extractors over one fixture set."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    scores = {tool: collections.Counter() for tool in ("scraper", "trafilatura")}
    f1 = {tool: [] for tool in scores}
    for post in truth["posts"]:
        page = gzip.decompress((folder / post["file"]).read_bytes())
        expected_body = (post["body_pages"] or [post["body_text"]])[0]
        for tool, extract in (("scraper", scraper_fields), ("trafilatura", trafilatura_fields)):
            got = extract(page)
            for name in FIELDS:
                want = post[name] if post["on_page"].get(name, True) else ([] if name == "categories" else None)
                scores[tool][name] += right(name, want, got[name], day_only=tool == "trafilatura") or (
                    want != post[name] and right(name, post[name], got[name], day_only=tool == "trafilatura"))
            f1[tool].append(token_f1(expected_body, got["body"]))
    count = len(truth["posts"])
    return {"set": folder.name, "posts": count} | {
        tool: {name: round(scores[tool][name] / count, 3) for name in FIELDS}
        | {"body_f1_mean": round(sum(f1[tool]) / count, 4), "body_f1_min": round(min(f1[tool]), 4)}
        for tool in scores}


def main() -> None:
    """Evaluate every set under the fixture root and print the results."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "fixtures" / "wordpress"
    results = [evaluate(truth.parent) for truth in sorted(root.glob("*/truth.json"))]
    for result in results:
        print(json.dumps(result, ensure_ascii=False))
    total = sum(r["posts"] for r in results)
    summary = {tool: {key: round(sum(r[tool][key] * r["posts"] for r in results) / total, 4)
                      for key in results[0][tool] if key != "body_f1_min"} for tool in ("scraper", "trafilatura")}
    print(json.dumps({"set": "all", "posts": total} | summary))


if __name__ == "__main__":
    main()
