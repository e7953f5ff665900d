"""Raw page bodies: zstandard compression with a dictionary trained per site from its first pages."""
from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from dataclasses import dataclass, field

import zstandard

log = logging.getLogger("scraper.store")

#: Pages a site must have stored before its dictionary is trained (then those pages are recompressed with it).
DICT_MIN_SAMPLES = 16
#: At most this many pages feed the training.
DICT_MAX_SAMPLES = 400
#: Dictionary size: a twentieth of the sample bytes, within these bounds (a small site cannot amortise a big one).
DICT_MIN_SIZE, DICT_MAX_SIZE = 16_384, 112_640
#: COVER training parameters (segment size k, d-mer size d): these fill the dictionary with the shared boilerplate.
DICT_K, DICT_D = 2048, 6
#: zstd level. bench/store.py on the captured pages: level 3 saves new posts 3x faster than level 9 (1,973/s vs
#: 668/s) for a file 11.2% instead of 10.7% of the raw bytes after two crawls (target <= 15%).
LEVEL = 3


@dataclass(frozen=True)
class PackedPage:
    """A body hashed and compressed on any thread (PageCodec.pack), ready for Archive.record_fetch to store."""

    sha256: str
    size: int
    data: bytes
    dict_id: int | None
    zdict: zstandard.ZstdCompressionDict | None = field(default=None, repr=False, compare=False)


class PageCodec:
    """Compresses and decompresses page bodies, caching one zstd dictionary per site."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._dicts: dict[int, zstandard.ZstdCompressionDict] = {}
        self._site_dict: dict[int, int | None] = {}
        self._plain = zstandard.ZstdCompressor(level=LEVEL)
        self._compressors: dict[int, zstandard.ZstdCompressor] = {}
        self._decompressors: dict[int | None, zstandard.ZstdDecompressor] = {}
        self._local = threading.local()   # pack(): zstd compressors cannot be shared between threads

    def _dict(self, dict_id: int) -> zstandard.ZstdCompressionDict:
        """The dictionary with this id, loaded once."""
        if dict_id not in self._dicts:
            row = self.conn.execute("SELECT data FROM zstd_dicts WHERE id = ?", (dict_id,)).fetchone()
            zdict = zstandard.ZstdCompressionDict(row[0])
            # Digested once here and shared by every thread's compressor, instead of once per compressor: measured
            # 13 MB -> 2 MB of RSS for the 17 compressors of a crawl's fetch threads and writer.
            zdict.precompute_compress(level=LEVEL)
            self._dicts[dict_id] = zdict
        return self._dicts[dict_id]

    def site_dict_id(self, site_id: int | None) -> int | None:
        """The id of the site's dictionary, if trained (a site that has none is asked again next time)."""
        if site_id is None:
            return None
        cached = self._site_dict.get(site_id)
        if cached is None:
            row = self.conn.execute("SELECT max(id) FROM zstd_dicts WHERE site_id = ?", (site_id,)).fetchone()
            cached = row[0]
            if cached is not None:
                self._site_dict[site_id] = cached
        return cached

    def compress(self, body: bytes, site_id: int | None) -> tuple[bytes, int | None]:
        """(compressed bytes, dictionary id or None)."""
        dict_id = self.site_dict_id(site_id)
        if dict_id is None:
            return self._plain.compress(body), None
        if dict_id not in self._compressors:
            self._compressors[dict_id] = zstandard.ZstdCompressor(level=LEVEL, dict_data=self._dict(dict_id))
        return self._compressors[dict_id].compress(body), dict_id

    def pack(self, body: bytes, site_id: int | None) -> PackedPage:
        """(any thread) sha256 and compression with the site's dictionary as this codec last loaded it.

        Touches no database, so fetch threads can run it (zstd and sha256 release the GIL); `usable` tells the
        writer whether the result still fits the site's current dictionary."""
        dict_id = self._site_dict.get(site_id) if site_id is not None else None
        zdict = self._dicts.get(dict_id) if dict_id is not None else None
        if zdict is None:
            dict_id = None
        compressors = self._local.__dict__.setdefault("compressors", {})
        cached = compressors.get(dict_id)
        if cached is None or cached[0] is not zdict:
            cached = compressors[dict_id] = (zdict, zstandard.ZstdCompressor(level=LEVEL, dict_data=zdict))
        return PackedPage(hashlib.sha256(body).hexdigest(), len(body), cached[1].compress(body), dict_id, zdict)

    def usable(self, packed: PackedPage, site_id: int | None) -> bool:
        """True when a packed page used the site's current dictionary (the very object: a dictionary whose
        training was rolled back may share its id with a later one), or none while the site has none."""
        dict_id = self.site_dict_id(site_id)
        if packed.dict_id != dict_id:
            return False
        return dict_id is None or packed.zdict is self._dict(dict_id)

    def decompress(self, data: bytes, compression: str, dict_id: int | None) -> bytes:
        """The raw body back."""
        if compression == "none":
            return bytes(data)
        if dict_id not in self._decompressors:
            dict_data = None if dict_id is None else self._dict(dict_id)
            self._decompressors[dict_id] = zstandard.ZstdDecompressor(dict_data=dict_data)
        return self._decompressors[dict_id].decompress(data)

    def needs_dict(self, site_id: int | None) -> bool:
        """True when the site has no dictionary yet but enough pages to train one."""
        if site_id is None or self.site_dict_id(site_id) is not None:
            return False
        row = self.conn.execute("SELECT count(*) FROM pages WHERE site_id = ? AND dict_id IS NULL",
                                (site_id,)).fetchone()
        return row[0] >= DICT_MIN_SAMPLES

    def train(self, site_id: int, created_at: str) -> int | None:
        """Train the site's dictionary from its stored pages and recompress them (caller holds a transaction)."""
        rows = self.conn.execute(
            "SELECT sha256, compression, dict_id, data FROM pages WHERE site_id = ? AND dict_id IS NULL "
            "ORDER BY stored_at LIMIT ?", (site_id, DICT_MAX_SAMPLES)).fetchall()
        samples = [self.decompress(data, comp, did) for _, comp, did, data in rows]
        size = min(DICT_MAX_SIZE, max(DICT_MIN_SIZE, sum(map(len, samples)) // 20))
        try:
            trained = zstandard.train_dictionary(size, samples, level=LEVEL, k=DICT_K, d=DICT_D)
        except zstandard.ZstdError as exc:
            log.warning("site %s: zstd dictionary training failed (%s); pages stay compressed without one",
                        site_id, exc)
            return None
        dict_id = self.conn.execute(
            "INSERT INTO zstd_dicts (site_id, created_at, samples, data) VALUES (?, ?, ?, ?)",
            (site_id, created_at, len(samples), trained.as_bytes())).lastrowid
        self._site_dict[site_id] = dict_id
        for (sha, _, _, _), body in zip(rows, samples):
            data, used = self.compress(body, site_id)
            self.conn.execute("UPDATE pages SET data = ?, stored_size = ?, dict_id = ? WHERE sha256 = ?",
                              (data, len(data), used, sha))
        return dict_id
