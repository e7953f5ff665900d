"""URL and host helpers shared by discovery, fetching and the crawl: one spelling per page, one key per site."""
from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that never change which post a URL shows (tracking, comment replies, share buttons).
DROPPED_PARAMS = frozenset({
    "replytocom", "share", "nb", "amp", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid",
    "_ga", "_gl", "yclid", "twclid", "ref_src", "ref_url", "spref", "hss_channel", "mkt_tok", "wt_mc",
})
DROPPED_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
COMMENT_PAGE_SUFFIX = re.compile(r"/comment-page-\d+/?$")
DEFAULT_PORTS = (("http", 80), ("https", 443))


def netloc(parts: SplitResult, scheme: str | None = None) -> str:
    """Lower-case host[:port] of split URL parts, without the scheme's default port (ValueError for a bad port)."""
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is None or ((scheme or parts.scheme).lower(), port) in DEFAULT_PORTS:
        return host
    return f"{host}:{port}"


def host_key(url: str) -> str:
    """The site a URL belongs to: host[:port] as netloc() spells it, without a leading 'www.'."""
    host = netloc(urlsplit(url))
    return host[4:] if host.startswith("www.") else host


def canonicalize(url: str, base: str | None = None) -> str:
    """One spelling per page: absolute, lower-case scheme and host, no default port, no fragment, no tracking
    or reply/share parameters, sorted query, trailing slash on extension-less paths, no /comment-page-N/ suffix.
    With `base`, same-site URLs take the base's scheme and host spelling (http/https and www. variants merge)."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    location = netloc(parts, scheme)
    if base and host_key(f"{scheme}://{location}/") == host_key(base):
        base_parts = urlsplit(base)
        scheme, location = base_parts.scheme.lower(), netloc(base_parts)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in DROPPED_PARAMS and not k.lower().startswith(DROPPED_PREFIXES)]
    path = COMMENT_PAGE_SUFFIX.sub("/", parts.path or "/")
    last = path.rsplit("/", 1)[-1]
    if last and "." not in last:
        path += "/"
    # w3lib sorts the query and percent-encodes consistently (what makes the spelling unique)
    return canonicalize_url(urlunsplit((scheme, location, path, urlencode(query), "")), keep_fragments=False)


def shortlink_id(url: str) -> int | None:
    """The post ID of a `?p=ID` shortlink (what WordPress's guid and shortlink look like), else None."""
    parts = urlsplit(url)
    if parts.path not in ("", "/"):
        return None
    params = dict(parse_qsl(parts.query))
    value = params.get("p", "")
    return int(value) if value.isdigit() and len(params) == 1 else None


def normalize_base(url: str) -> str:
    """A site's base URL: scheme (https if none), lower-case host, path ending in '/'. ValueError (with a message
    a user can act on) for what cannot be a site: another scheme, no host, a port that is not a number in range."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{url!r} is not an http:// or https:// URL")
    if not parts.hostname:
        raise ValueError(f"{url!r} has no host name")
    try:
        location = netloc(parts)
    except ValueError as exc:   # urllib: 'Port out of range 0-65535', 'Port could not be cast to integer value'
        raise ValueError(f"{url!r} has a bad port ({exc})") from None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme.lower()}://{location}{path}"
