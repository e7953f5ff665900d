"""Structured data: the JSON-LD graph (Yoast, Rank Math, others; @id references resolved), meta tags and head links."""
from __future__ import annotations

import html as html_entities
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "report", "socialmediaposting", "techarticle",
                 "scholarlyarticle", "liveblogposting", "reportagenews", "opinionnewsarticle", "analysisnewsarticle",
                 "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "satiricalarticle",
                 "advertisertcontentarticle", "posting"}
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


@dataclass
class Head:
    """What the page declares about itself: meta tags, links, JSON-LD nodes and where they came from."""

    meta: dict[str, list[str]] = field(default_factory=dict)   # lower-cased name/property -> contents, page order
    links: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)   # rel -> [(href, type, title)]
    nodes: list[dict[str, Any]] = field(default_factory=list)   # every JSON-LD object with an @type
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    plugins: set[str] = field(default_factory=set)   # "yoast", "rank-math" when their graph is present
    html_lang: str | None = None

    def first_meta(self, *names: str) -> str | None:
        """The first non-empty content among meta names, in the given order of preference."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None

    def first_link(self, rel: str, type_: str | None = None) -> str | None:
        """The first href of a <link rel=…> (optionally of a given type)."""
        for href, link_type, _ in self.links.get(rel, ()):
            if href and (type_ is None or link_type == type_):
                return href
        return None

    def resolve(self, value: Any) -> Any:
        """Follow an {"@id": …} reference to its node when the graph holds it."""
        if isinstance(value, dict) and set(value) <= {"@id"} and value.get("@id") in self.by_id:
            return self.by_id[value["@id"]]
        return value

    def article(self, url: str | None = None) -> dict[str, Any] | None:
        """The article node: the Article-kind node (@type a string or a list) about url when several are
        present, else the first one, else None."""
        articles = [node for node in self.nodes if type_names(node) & ARTICLE_TYPES]
        if url and len(articles) > 1:
            for node in articles:
                page = self.resolve(node.get("mainEntityOfPage"))
                ids = [node.get("@id"), node.get("url"), page.get("@id") if isinstance(page, dict) else page]
                if any(isinstance(i, str) and i.split("#")[0].rstrip("/") == url.rstrip("/") for i in ids):
                    return node
        return articles[0] if articles else None

    def nodes_of(self, *types: str) -> list[dict[str, Any]]:
        """Nodes whose @type includes one of types (lower case)."""
        wanted = set(types)
        return [node for node in self.nodes if type_names(node) & wanted]


def type_names(node: dict[str, Any]) -> set[str]:
    """The node's @type values, lower-cased, whether @type is a string or a list."""
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


def read_head(root: etree._Element, warnings: list[str]) -> Head:
    """Collect meta, link and JSON-LD script elements in one pass over the tree."""
    head = Head(html_lang=root.get("lang") or root.get("xml:lang"))
    head_el = root.find("head")
    for el in root.iter("meta", "link", "script"):
        if el.tag == "meta":
            key = (el.get("property") or el.get("name") or el.get("http-equiv") or "").strip().lower()
            if not key and el.get("itemprop") and head_el is not None and el.getparent() is head_el:
                # microdata in the body belongs to whichever card holds it (tickers, related posts): the theme
                # tables read it inside the post's container; only the head's speaks for the page
                key = el.get("itemprop").strip().lower()
            content = el.get("content")
            if key and content is not None:
                head.meta.setdefault(key, []).append(html_entities.unescape(content))
        elif el.tag == "link":
            for rel in (el.get("rel") or "").lower().split():
                head.links.setdefault(rel, []).append(((el.get("href") or "").strip(), (el.get("type") or "").lower(),
                                                       html_entities.unescape(el.get("title") or "")))
        elif (el.get("type") or "").strip().lower() == "application/ld+json":
            _read_json_ld(el, head, warnings)
    return head


def _read_json_ld(el: etree._Element, head: Head, warnings: list[str]) -> None:
    """Load one JSON-LD script (tolerating CDATA wrappers and trailing commas) and index its nodes."""
    cls = el.get("class") or ""
    text = _CDATA.sub("", el.text or "").strip()
    if not text:
        return
    data = _loads(text)
    if data is None:
        warnings.append(f"broken JSON-LD ignored ({cls or 'unnamed script'}, {len(text)} chars)")
        return
    if "yoast" in cls:
        head.plugins.add("yoast")
    if "rank-math" in cls:
        head.plugins.add("rank-math")
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if "@graph" in item:
                stack.append(item["@graph"])
            if "@type" in item:
                head.nodes.append(item)
                if isinstance(item.get("@id"), str):
                    head.by_id.setdefault(item["@id"], item)


def _loads(text: str) -> Any:
    """json.loads, retried once without trailing commas; None when the text is not JSON."""
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def ld_text(value: Any) -> str | None:
    """A JSON-LD scalar as clean text (entities decoded), or None."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    text = " ".join(html_entities.unescape(value).split())
    return text or None


def ld_names(head: Head, value: Any) -> list[str]:
    """Names of one or several JSON-LD things (Person, Organization…), references followed, in order."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        item = head.resolve(item)
        name = ld_text(item.get("name")) if isinstance(item, dict) else ld_text(item)
        if name and name not in names:
            names.append(name)
    return names


def ld_list(value: Any) -> list[str]:
    """A JSON-LD list of names: a list, or a comma-separated string (Rank Math's articleSection)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    names: list[str] = []
    for item in value:
        name = ld_text(item)
        if name and name not in names:
            names.append(name)
    return names
