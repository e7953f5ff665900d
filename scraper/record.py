"""The Post record: the one shape every stage shares (parse produces it, store keeps it)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


#: Warnings starting with this say a bug in the parser left the record incomplete (see Post.incomplete).
PARSER_ERROR = "parser error"


@dataclass
class Post:
    """One WordPress post as parsed from its page. JSON keys are exactly these field names."""

    url: str | None = None                 # canonical URL
    wp_id: int | None = None               # WordPress post ID
    title: str | None = None
    author: str | None = None              # display name of the first author
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    published_at: str | None = None        # ISO 8601 with offset
    modified_at: str | None = None
    photo_credit: str | None = None        # lead image credit without its label, e.g. "@OTAN"
    photo_caption: str | None = None       # the whole caption
    featured_image: str | None = None      # URL
    excerpt: str | None = None
    body_html: str | None = None
    body_text: str | None = None
    comment_count: int | None = None       # approved comments the page reveals; None if it reveals nothing
    language: str | None = None
    site_name: str | None = None
    is_wordpress: bool = False
    sources: dict[str, str] = field(default_factory=dict)   # field -> strategy that produced it
    warnings: list[str] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        """True when a parser bug left fields unextracted: such a record must never replace a good version."""
        return any(w.startswith(PARSER_ERROR) for w in self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Post":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def empty(value: object) -> bool:
    """None, an empty string or an empty list: the page said nothing about this field."""
    return value is None or value == "" or value == []


#: Fields whose change makes a new version in the archive (sources and warnings are bookkeeping).
TRACKED_FIELDS: tuple[str, ...] = (
    "url", "wp_id", "title", "author", "authors", "categories", "tags", "published_at", "modified_at",
    "photo_credit", "photo_caption", "featured_image", "excerpt", "body_text", "body_html",
    "comment_count", "language",
)
