"""Addresses given to ``cqckg ingest`` directly: each fetched politely into ``<out>/<host>/``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from cqckg.fetch.client import FetchSettings, SiteClient, check_site
from cqckg.fetch.saved import Folder, file_stem
from cqckg.fetch.site import SiteLayout


def is_address(arg: str) -> bool:
    """Whether a command-line argument is a web address rather than a file."""
    return "://" in arg[:12]


def download(urls: Sequence[str], out: Path, settings: FetchSettings | None = None) -> list[Path]:
    """Fetch each address (conditionally when fetched before) and return the saved files, in
    the order given. Raises :class:`~cqckg.fetch.client.FetchError` on the first that fails."""
    layout = SiteLayout.load()
    by_site: dict[str, list[str]] = {}
    for url in dict.fromkeys(urls):
        by_site.setdefault(check_site(url), []).append(url)
    saved: dict[str, Path] = {}
    for site, addresses in by_site.items():
        parts = urlsplit(site)
        host = (parts.hostname or "").rstrip(".") + (f"_{parts.port}" if parts.port else "")
        folder = Folder(out / host)
        with SiteClient(site, settings) as client:
            for url in addresses:
                under_list = urlsplit(url).path.startswith(layout.listing + "/")
                stem = file_stem(url, layout.listing if under_list else "/")
                saved[url] = folder.fetch(client, url, stem).path
    return [saved[u] for u in dict.fromkeys(urls)]
