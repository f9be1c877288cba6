"""A district's own basemap, served by the app itself: raster tiles read from an MBTiles file.

`settings.PATROLS_BASEMAP` names the file (environment `SHOUZHAN_PATROLS_BASEMAP`); empty, the maps are
schematic and draw no basemap, so no boundaries (a public map with boundaries needs an approved source).

MBTiles is SQLite: `tiles(zoom_level, tile_column, tile_row, tile_data)` with rows in TMS order (row 0 at the
south), and `metadata(name, value)` whose `format` is png, jpg, webp or pbf. Only raster tiles (png, jpg,
webp) are served: a vector basemap (pbf) would need a renderer in the browser, so it counts as none.

PMTiles is not read: the one well-kept Python reader (protomaps' `pmtiles` package) is not among the
project's dependencies. A district holding a .pmtiles file converts it to MBTiles with the PMTiles tools
first; a .pmtiles path here is logged and treated as no basemap.

The page asks for tiles in XYZ order (`/patrols/tiles/<z>/<x>/<y>`, y from the north, as the map is drawn);
`tms_row` flips y to the file's row.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

MAX_ZOOM = 24  # no basemap a district keeps goes deeper (zoom 24 is about 1 cm a pixel)
RASTER_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


@dataclass(frozen=True)
class Basemap:
    path: Path
    format: str  # png, jpg or webp
    minzoom: int
    maxzoom: int
    name: str
    attribution: str  # as the file's metadata gives it: shown under the map (plain text)


def tms_row(z: int, y: int) -> int:
    """The MBTiles (TMS) row of the XYZ tile row y at zoom z: rows count from the south."""
    return (1 << z) - 1 - y


def tile_in_range(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)


def sniff(data: bytes) -> str | None:
    """The content type of a raster tile from its first bytes (None: not a raster image)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield connection
    finally:
        connection.close()


def _metadata(connection: sqlite3.Connection) -> dict[str, str]:
    try:
        rows = connection.execute("SELECT name, value FROM metadata").fetchall()
    except sqlite3.DatabaseError:
        return {}
    return {str(name).lower(): str(value) for name, value in rows if name is not None and value is not None}


def _int(text: str | None, default: int) -> int:
    try:
        return int(float(text)) if text else default
    except ValueError:
        return default


def _read(path: Path) -> Basemap | None:
    with _connect(path) as connection:
        meta = _metadata(connection)
        low, high, first = connection.execute(
            "SELECT MIN(zoom_level), MAX(zoom_level), (SELECT tile_data FROM tiles LIMIT 1) FROM tiles"
        ).fetchone()
    kind = meta.get("format", "").lower()
    if not kind and isinstance(first, bytes):  # no format written: the tiles tell
        kind = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(sniff(first) or "", "")
    if kind not in RASTER_TYPES:
        log.warning("Basemap %s holds %s tiles, not raster (png, jpg, webp): no basemap drawn", path, kind)
        return None
    if low is None:
        log.warning("Basemap %s holds no tiles: no basemap drawn", path)
        return None
    minzoom = max(0, _int(meta.get("minzoom"), int(low)))
    maxzoom = min(MAX_ZOOM, _int(meta.get("maxzoom"), int(high)))
    return Basemap(
        path=path,
        format="jpg" if kind == "jpeg" else kind,
        minzoom=min(minzoom, maxzoom),
        maxzoom=maxzoom,
        name=meta.get("name", ""),
        attribution=meta.get("attribution", ""),
    )


@functools.lru_cache(maxsize=4)
def _cached(path: str, _mtime_ns: int, _size: int) -> Basemap | None:
    try:
        return _read(Path(path))
    except sqlite3.DatabaseError as error:
        log.warning("Basemap %s cannot be read as MBTiles (%s): no basemap drawn", path, error)
        return None


def basemap() -> Basemap | None:
    """The configured basemap, or None (none configured, missing, unreadable, vector or PMTiles)."""
    setting = str(getattr(settings, "PATROLS_BASEMAP", "") or "")
    if not setting:
        return None
    path = Path(setting)
    if path.suffix.lower() == ".pmtiles":
        log.warning("Basemap %s is PMTiles; only MBTiles is read (convert it): no basemap drawn", path)
        return None
    try:
        stat = path.stat()
    except OSError:
        log.warning("Basemap %s not found: no basemap drawn", path)
        return None
    return _cached(str(path), stat.st_mtime_ns, stat.st_size)


def tile(found: Basemap, z: int, x: int, y: int) -> tuple[bytes, str] | None:
    """The tile's bytes and content type at XYZ z/x/y, or None when the file has no raster tile there."""
    if not tile_in_range(z, x, y):
        return None
    try:
        with _connect(found.path) as connection:
            row = connection.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, tms_row(z, y)),
            ).fetchone()
    except sqlite3.DatabaseError as error:  # the file changed or went away under us
        log.warning("Basemap %s: tile %s/%s/%s unreadable (%s)", found.path, z, x, y, error)
        return None
    if row is None or not isinstance(row[0], bytes):
        return None
    kind = sniff(row[0])
    return None if kind is None else (row[0], kind)


def tiles_present(found: Basemap, z: int, xs: range, ys: range) -> set[tuple[int, int]]:
    """Which XYZ tiles (x, y) of the block xs × ys at zoom z the file holds: one query."""
    if not xs or not ys:
        return set()
    try:
        with _connect(found.path) as connection:
            rows = connection.execute(
                "SELECT tile_column, tile_row FROM tiles WHERE zoom_level = ? AND tile_column BETWEEN ? AND ? "
                "AND tile_row BETWEEN ? AND ?",
                (z, xs[0], xs[-1], tms_row(z, ys[-1]), tms_row(z, ys[0])),
            ).fetchall()
    except sqlite3.DatabaseError as error:
        log.warning("Basemap %s unreadable (%s): no tiles drawn", found.path, error)
        return set()
    return {(int(col), tms_row(z, int(row))) for col, row in rows}
