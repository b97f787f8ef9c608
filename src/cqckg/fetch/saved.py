"""A folder of fetched files with its manifest (``manifest.json``).

The manifest records, for each file, the address it came from, the address that answered
(after redirects), its ETag and Last-Modified, SHA-256, size, content type and when it was
fetched and last checked; a later run sends those back as a conditional request. Files and the
manifest are written atomically (a temporary file renamed over the old one) and the manifest is
rewritten after every file, so a run stopped at any point leaves each file whole and listed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cqckg.core.formats import media_type_of, source_suffix
from cqckg.fetch.client import Fetched, FetchError, SiteClient

MANIFEST = "manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class Saved:
    """One address after a run: its file, its bytes, and whether they changed this run."""

    url: str
    path: Path
    body: bytes
    content_type: str
    changed: bool
    new: bool
    twin_of: str = ""  # the file of another address holding the same bytes, if any


class Folder:
    """A folder of files fetched from addresses, described by its manifest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.manifest_path = path / MANIFEST
        self.data: dict[str, Any] = {"format": FORMAT, "files": {}}
        if self.manifest_path.is_file():
            try:
                loaded = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = None  # unreadable: every file is fetched again
            if isinstance(loaded, dict) and isinstance(loaded.get("files"), dict):
                self.data = loaded

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        files: dict[str, dict[str, Any]] = self.data["files"]
        return files

    def entry(self, url: str) -> tuple[str, dict[str, Any]] | None:
        """The file saved from ``url`` and its manifest entry, if any."""
        for name, e in self.files.items():
            if e.get("url") == url:
                return name, e
        return None

    @property
    def aliases(self) -> dict[str, dict[str, Any]]:
        """Addresses that served the same bytes as a file saved from another address."""
        aliases: dict[str, dict[str, Any]] = self.data.setdefault("aliases", {})
        return aliases

    def fetch(self, client: SiteClient, url: str, name: str, suffix: str = "") -> Saved:
        """Fetch ``url`` into the file ``name`` plus the suffix its content type calls for
        (and ``suffix`` after it), conditionally when this folder already holds a current copy
        of it. The same bytes as another address's file are not saved twice: ``url`` becomes
        an alias of that file (``Saved.twin_of``)."""
        held = self.entry(url)
        current = held is not None and self._intact(held[0], held[1])
        alias = self.aliases.get(url)
        if alias is not None and not self._alias_intact(alias):
            alias = None
        e = alias or (held[1] if held and current else {})
        got = client.get(url, etag=e.get("etag"), last_modified=e.get("last_modified"))
        now = _now()
        if got.status == 304 and alias is not None:
            alias.update(checked=now)
            self.write_manifest()
            return self._saved(url, alias["same_as"], False, False, twin_of=alias["same_as"])
        if got.status == 304 and held is not None and current:
            held[1].update(checked=now, etag=got.etag or e.get("etag"))
            self.write_manifest()
            return self._saved(url, held[0], False, False)
        body = got.body or b""
        sha = hashlib.sha256(body).hexdigest()
        twin = next(
            (n for n, f in self.files.items() if f["sha256"] == sha and f["url"] != url), None
        )
        if twin is not None:
            if held is not None:
                self._remove(held[0])
            self.aliases[url] = {
                "same_as": twin,
                "sha256": sha,
                "etag": got.etag,
                "last_modified": got.last_modified,
                "checked": now,
            }
            self.write_manifest()
            return self._saved(url, twin, False, held is None and alias is None, twin_of=twin)
        self.aliases.pop(url, None)
        filename = name + _suffix(got) + suffix
        if held is not None and current and held[1].get("sha256") == sha:
            filename = held[0]  # the same bytes again (no conditional support): keep the file
            changed = False
        else:
            if held is not None and held[0] != filename:
                self._remove(held[0])
            filename = self._free_name(filename, url)
            self._write(url, filename, body)
            changed = True
        self.files[filename] = {
            "url": url,
            "final_url": got.url,
            "etag": got.etag,
            "last_modified": got.last_modified,
            "sha256": sha,
            "bytes": len(body),
            "content_type": got.content_type,
            "fetched": now if changed else e.get("fetched", now),
            "checked": now,
        }
        self.write_manifest()
        return self._saved(url, filename, changed, held is None and alias is None)

    def _saved(self, url: str, name: str, changed: bool, new: bool, twin_of: str = "") -> Saved:
        path = self.path / name
        body = path.read_bytes()
        return Saved(url, path, body, self.files[name]["content_type"], changed, new, twin_of)

    def _alias_intact(self, alias: dict[str, Any]) -> bool:
        twin = self.files.get(alias.get("same_as", ""))
        return (
            twin is not None
            and twin.get("sha256") == alias.get("sha256")
            and self._intact(alias["same_as"], twin)
        )

    def prune(self, keep: set[str]) -> list[str]:
        """Delete the files saved from addresses not in ``keep`` (and forget such aliases);
        the files' names."""
        gone = sorted(n for n, e in self.files.items() if e.get("url") not in keep)
        for name in gone:
            self._remove(name)
        stale = [u for u, a in self.aliases.items() if u not in keep or a["same_as"] in gone]
        for url in stale:
            del self.aliases[url]
        if gone or stale:
            self.write_manifest()
        return gone

    def fingerprint(self) -> str:
        """SHA-256 over the names and digests of the files listed: what was ingested."""
        lines = sorted(f"{n} {e.get('sha256')}" for n, e in self.files.items())
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def write_manifest(self) -> None:
        text = json.dumps(self.data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        self._write(str(self.manifest_path), MANIFEST, text.encode("utf-8"))

    def _write(self, url: str, name: str, data: bytes) -> None:
        try:
            _write_atomic(self.path / name, data)
        except OSError as exc:
            raise FetchError(url, f"cannot save {self.path / name}: {exc.strerror}") from None

    def _intact(self, name: str, e: dict[str, Any]) -> bool:
        path = self.path / name
        return path.is_file() and _sha256(path) == e.get("sha256")

    def _free_name(self, filename: str, url: str) -> str:
        stem, dot, suffix = filename.rpartition(".")
        n = 1
        while filename in self.files and self.files[filename].get("url") != url:
            n += 1
            filename = f"{stem}-{n}{dot}{suffix}"
        return filename

    def _remove(self, name: str) -> None:
        self.files.pop(name, None)
        (self.path / name).unlink(missing_ok=True)


def file_stem(url: str, base_path: str | None = None) -> str:
    """A file name (without suffix) for an address: its path after ``base_path`` (or its last
    segment) with "/" as "-", lower case, safe characters only, at most 100 of them."""
    path = unquote(urlsplit(url).path).rstrip("/")
    if base_path and path.lower().startswith(base_path.lower().rstrip("/") + "/"):
        path = path[len(base_path.rstrip("/")) + 1 :]
    else:
        path = path.rsplit("/", 1)[-1]
    path = re.sub(r"\.(?:html?|pdf|txt|md)$", "", path, flags=re.I)
    stem = re.sub(r"[^a-z0-9._]+", "-", path.lower()).strip("-.")
    return stem[:100].rstrip("-.") or "page"


def _suffix(got: Fetched) -> str:
    suffix = source_suffix(got.content_type)
    if suffix is not None:
        return suffix
    mime = media_type_of(got.content_type)
    if (got.body or b"").startswith(b"%PDF-"):
        return ".pdf"
    raise FetchError(got.url, f"unexpected content type {mime or '(none)'!r}; not saved")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
