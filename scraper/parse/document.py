"""Bytes to one lxml tree: charset from HTTP, BOM, meta or detection; guards against huge and non-HTML input."""
from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Mapping

from lxml import etree, html

#: Pages bigger than this are cut before parsing (a warning says so); real posts are far smaller.
MAX_PARSE_BYTES = 8 * 1024 * 1024
#: Trees with more elements than this (a WordPress post page has 1,000-10,000) are read from their head only
#: (canonical, JSON-LD, OpenGraph, body-class ID): the theme-table walks would take too long.
MAX_ELEMENTS = 150_000
#: Only this much of the page is shown to charset detection (enough to decide, cheap on big pages).
DETECT_BYTES = 64 * 1024

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
#: Inline scripts (JSON-LD kept) and style blocks, and long data: URIs: removed from oversized pages before the cut.
_CODE_BLOCK = re.compile(rb"<script\b(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style\b[^>]*>.*?</style\s*>",
                         re.IGNORECASE | re.DOTALL)
_DATA_URI = re.compile(rb"data:[^\"'\s)<>]{1024,}")
#: Signatures of files that are never pages: PDF, PNG, GIF, JPEG, ZIP/Office, gzip-free archives, WebP/RIFF.
_BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"7z\xbc\xaf", b"RIFF")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")   # no-break spaces stay: French typography puts them in titles
#: Per WHATWG, pages labelled latin-1 or ascii are really decoded as windows-1252.
_WINDOWS_1252_ALIASES = {"iso8859-1", "latin-1", "ascii", "iso-8859-1", "latin1", "us-ascii", "cp819"}

_PARSER_OPTIONS = {"encoding": "utf-8", "remove_comments": True, "remove_pis": True, "huge_tree": True,
                   "no_network": True, "default_doctype": False}

BLOCK_TAGS = {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
              "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
              "section", "table", "td", "th", "tr", "ul"}
SKIP_TEXT_TAGS = {"script", "style", "noscript", "template", "svg", "button", "select", "textarea"}
SCREEN_READER = re.compile(r"(?:^|\s)(?:screen-reader-text|sr-only|visually-hidden|screen-reader|elementor-screen-only|"
                           r"show-for-sr|assistive-text|hidden-title)(?:\s|$)")


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    """The charset named by a Content-Type header, if any (header names in any case; a mapping or (name, value)
    pairs)."""
    if not headers:
        return None
    pairs = headers.items() if hasattr(headers, "items") else headers
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            continue
        name, value = pair
        if str(name).lower() == "content-type" and value:
            found = _HEADER_CHARSET.search(str(value))
            return found.group(1) if found else None
    return None


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return "cp1252" if name in _WINDOWS_1252_ALIASES or label.strip().lower() in _WINDOWS_1252_ALIASES else name


def gunzip(data: bytes, warnings: list[str]) -> bytes:
    """Pages saved gzip-compressed (*.html.gz) decompressed, at most MAX_PARSE_BYTES (no gzip bombs)."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, MAX_PARSE_BYTES)
    except zlib.error as exc:
        warnings.append(f"gzip-compressed page could not be decompressed: {exc}")
        return data
    if inflater.unconsumed_tail:
        warnings.append(f"gzip-compressed page inflates past {MAX_PARSE_BYTES // 1024 // 1024} MB; only the start "
                        "was parsed")
    return out


def looks_binary(data: bytes) -> bool:
    """True for bytes that are clearly not text (many control bytes near the start; a stray NUL is not enough)."""
    head = data[:4096]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _bomless_utf16(head):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


def _bomless_utf16(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for text saved as UTF-16 without a BOM (ASCII markup with a NUL beside each
    character), else None."""
    if len(head) < 16:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode(data: bytes, headers: Mapping[str, str] | None, warnings: list[str]) -> str:
    """Decode page bytes: BOM, HTTP charset, meta charset, strict UTF-8, then detection; never fails."""
    boms = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    for bom, name in boms:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace")
    utf16 = _bomless_utf16(data[:4096])
    if utf16:
        warnings.append(f"page is {utf16.upper()} without a byte-order mark")
        return data.decode(utf16, errors="replace")
    if b"\x00" in data:   # stray NULs (a broken save) are not text; the rest of the page still is
        warnings.append(f"{data.count(0)} NUL byte(s) dropped")
        data = data.replace(b"\x00", b"")
    http = _codec(header_charset(headers))
    declared = [("HTTP", http)]
    meta = _META_CHARSET.search(data[:DETECT_BYTES])
    meta_codec = _codec(meta.group(1).decode("ascii", "replace")) if meta else None
    if not http and meta_codec == "cp1252" and _multibyte_utf8(data):
        warnings.append("page declares charset windows-1252 (meta) but is UTF-8; read as UTF-8")
        return data.decode("utf-8")
    declared.append(("meta", meta_codec))
    for origin, name in declared:
        if name and not name.startswith("utf-16"):
            try:
                return data.decode(name)
            except UnicodeDecodeError:
                warnings.append(f"page declares charset {name} ({origin}) but is not valid {name}; detecting")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(3, len(text) // 1000):   # UTF-8 with a few stray bytes: keep it rather than re-guess everything
        warnings.append(f"{bad} invalid UTF-8 byte sequence(s) replaced")
        return text
    return data.decode(_detect(data), errors="replace")


def _multibyte_utf8(data: bytes) -> bool:
    """True for bytes that are valid UTF-8 and use multibyte sequences (a Latin page would not decode so)."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> str:
    """Best guess for undeclared non-UTF-8 bytes: charset-normalizer, preferring windows-1252 (the web's default
    legacy charset, right for fr/en/de/es/it/pt/nl) whenever it reads about as cleanly as the top guess."""
    from charset_normalizer import from_bytes  # imported lazily: only undeclared legacy pages need it

    matches = from_bytes(data[:DETECT_BYTES])
    best = matches.best()
    if best is None:
        return "cp1252"
    for match in matches:
        if _codec(match.encoding) == "cp1252" and match.chaos <= best.chaos + 0.1:
            return "cp1252"
    return _codec(best.encoding) or "cp1252"


def build_tree(text: str, warnings: list[str]) -> html.HtmlElement | None:
    """Parse decoded HTML into one lxml tree (root <html>), or None with a warning when there is nothing to parse."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        warnings.append("empty page: nothing to parse")
        return None
    raw = text.encode("utf-8", errors="replace")   # (measured: under 1 % of a parse, so decode() stays the one reader)
    if len(raw) > MAX_PARSE_BYTES:   # first drop what is never the post: inline code, styles, embedded files
        raw = _DATA_URI.sub(b"data:,", _CODE_BLOCK.sub(b"", raw))
    if len(raw) > MAX_PARSE_BYTES:
        warnings.append(f"page is {len(raw) // 1024 // 1024} MB; only its first {MAX_PARSE_BYTES // 1024 // 1024} MB "
                        "were parsed")
        raw = raw[:MAX_PARSE_BYTES]
    try:
        root = etree.fromstring(raw, html.HTMLParser(**_PARSER_OPTIONS))   # one per call: parsers are not thread-safe
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        warnings.append(f"page could not be parsed as HTML: {exc}")
        return None
    if root is None or not isinstance(root, html.HtmlElement):
        warnings.append("page could not be parsed as HTML: no document element")
        return None
    return root


def too_big(root: etree._Element, warnings: list[str]) -> bool:
    """True (with a warning) for trees too large to search field by field in reasonable time."""
    elements = int(root.xpath("count(//*)"))
    if elements > MAX_ELEMENTS:
        warnings.append(f"page has {elements} HTML elements (more than {MAX_ELEMENTS}): only the fields "
                        "its head declares were read")
        return True
    return False


def clean_text(text: str | None) -> str:
    """Collapse runs of ordinary whitespace to one space, drop zero-width spaces, strip the ends."""
    return _WHITESPACE.sub(" ", text or "").replace("\u200b", "").strip()


def is_screen_reader(el: etree._Element) -> bool:
    """True for elements only screen readers see (WordPress .screen-reader-text and friends)."""
    cls = el.get("class")
    return bool(cls and SCREEN_READER.search(cls))


def visible_text(el: etree._Element | None) -> str:
    """Text of an element without screen-reader labels, scripts and styles, whitespace collapsed."""
    if el is None:
        return ""
    parts: list[str] = []
    walker = etree.iterwalk(el, events=("start", "end"))
    for event, node in walker:
        if event == "start":
            if not isinstance(node.tag, str) or node.tag in SKIP_TEXT_TAGS or is_screen_reader(node):
                walker.skip_subtree()   # its end event still comes: the tail after it is visible text
                continue
            if node.tag in BLOCK_TAGS:
                parts.append(" ")
            if node.text:
                parts.append(node.text)
        elif node is not el:
            if node.tag in BLOCK_TAGS:
                parts.append(" ")
            if node.tail:
                parts.append(node.tail)
    return clean_text("".join(parts))
