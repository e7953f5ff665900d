"""archive.db: the schema, change tracking, raw page store, frontier and history (see schema.sql)."""
from scraper.store.archive import Archive, SaveResult
from scraper.store.connection import SCHEMA_VERSION

__all__ = ["Archive", "SaveResult", "SCHEMA_VERSION"]
