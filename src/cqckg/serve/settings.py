"""Every setting of the server, in one place, read from ``CQCKG_*`` environment variables.

>>> s = Settings(query_timeout=5, cors_origins=["https://example.org"])
>>> (s.port, s.query_timeout, s.base_iri)
(8000, 5.0, 'https://w3id.org/cqc-kg/')
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from cqckg.core.errors import SettingsError
from cqckg.core.namespaces import BASE

# Files an embedded (pyoxigraph/RocksDB) store always has in its folder.
_STORE_MARKERS = ("CURRENT", "IDENTITY")


def default_workers() -> int:
    """One query worker more than the machine has cores, at least 2 and at most 8.

    A worker spends part of each request waiting on the pipe to the server, so one more than the
    cores keeps them busy (on 2 cores, 3 workers gave 16% more requests/s at 8 clients than 2,
    for about 50 MB more), and a runaway query still leaves the others serving until its
    deadline. Each worker holds its own store snapshot handle and caches: the cap keeps memory
    well under 1 GiB on large machines.

    >>> 2 <= default_workers() <= 8
    True
    """
    return min(8, max(2, (os.cpu_count() or 1) + 1))


class Settings(BaseSettings):
    """Server settings; each field is also ``CQCKG_<NAME>`` in the environment.

    List fields accept a comma-separated value, e.g.
    ``CQCKG_CORS_ORIGINS=https://a.example,https://b.example``.
    """

    model_config = SettingsConfigDict(env_prefix="CQCKG_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    store: str = Field(
        default="", description="the embedded store's folder; empty for the per-user one"
    )
    base_iri: str = BASE
    load_shipped: bool = Field(
        default=True,
        description="load ontology/ and graph/ into the store when it has no assessments",
    )
    query_timeout: float = Field(
        default=10.0, gt=0, description="seconds; a request may only lower it"
    )
    max_results: int = Field(default=100_000, gt=0, description="rows (or triples) sent at most")
    max_body: int = Field(
        default=10 * 1024 * 1024, gt=0, description="bytes a request body may have"
    )
    body_timeout: float = Field(
        default=60.0, gt=0, description="seconds a request body may take to arrive (else 408)"
    )
    workers: int = Field(
        default_factory=default_workers,
        ge=1,
        le=64,
        description="query worker processes (default: one more than the cores, 2 to 8)",
    )
    background_workers: int = Field(
        default=1,
        ge=0,
        le=8,
        description=(
            "query worker processes, at the lowest CPU priority, that compute the pages' "
            "summaries after each write; 0: the request workers do"
        ),
    )
    worker_allocator: str = Field(
        default="auto",
        description=(
            "memory allocator the query workers preload: auto (mimalloc or jemalloc when "
            "installed, else the C library's), system, or a library's path"
        ),
    )
    cache_entries: int = Field(
        default=256, ge=0, description="cached results; 0 turns the cache off"
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    write_token: SecretStr | None = Field(default=None, description="bearer token for every write")
    update_enabled: bool = False
    allowed_service_endpoints: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _split_lists(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in ("cors_origins", "allowed_service_endpoints"):
                value = data.get(key)
                if isinstance(value, str):
                    data[key] = [v.strip() for v in value.split(",") if v.strip()]
        return data

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.update_enabled and self.write_token is None:
            raise ValueError("update_enabled needs a write_token (CQCKG_WRITE_TOKEN)")
        if self.write_token is not None and len(self.write_token.get_secret_value()) < 16:
            raise ValueError(
                "write_token must have at least 16 characters (make one with: python -c "
                "'import secrets; print(secrets.token_urlsafe(24))')"
            )
        return self

    @property
    def store_path(self) -> Path | None:
        """The store's folder, or ``None`` for the per-user default."""
        return Path(self.store).expanduser() if self.store else None


def load_settings(**overrides: Any) -> Settings:
    """:class:`Settings` from the environment and ``overrides``, or a :class:`SettingsError`
    whose one line names the setting (option and ``CQCKG_*`` variable) and what to do.

    >>> load_settings(write_token="short")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cqckg.core.errors.SettingsError: write_token (CQCKG_WRITE_TOKEN): write_token must have at ...
    >>> load_settings(port=70000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cqckg.core.errors.SettingsError: port (CQCKG_PORT): Input should be less than or equal to 65535
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or _field_of(error["msg"])
            message = str(error["msg"]).removeprefix("Value error, ")
            named = f"{field} (CQCKG_{field.upper()}): " if field else ""
            problems.append(named + message)
        raise SettingsError("; ".join(problems)) from exc


def _field_of(message: str) -> str:
    """The field a model-level check names first (``write_token must ...``)."""
    first = message.removeprefix("Value error, ").split(" ", 1)[0]
    return first if first in Settings.model_fields else ""


def check_store_folder(location: str) -> None:
    """Refuse a store location that is a file, or a folder holding something other than a
    store (opening it would write a store's files among someone else's)."""
    if not location or location == ":memory:" or location.startswith(("http://", "https://")):
        return
    path = Path(location).expanduser()
    if path.exists() and not path.is_dir():
        raise SettingsError(
            f"store {location}: is a file, not a store folder; give a folder (--store or "
            "CQCKG_STORE), new or made by cqckg"
        )
    is_store = all((path / marker).is_file() for marker in _STORE_MARKERS)
    if path.is_dir() and any(path.iterdir()) and not is_store:
        raise SettingsError(
            f"store {location}: the folder is not a cqckg store (it has files but no "
            "store's CURRENT and IDENTITY); give an empty or new folder, or the one "
            "cqckg ingest wrote"
        )


def check_port(host: str, port: int) -> None:
    """Refuse a port another program listens on, before the server starts."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise SettingsError(f"host {host!r}: cannot be resolved ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SettingsError(
                    f"port {port} on {host} is in use by another program; stop it or give "
                    "another with --port (or CQCKG_PORT)"
                ) from None
            raise SettingsError(
                f"cannot listen on {host}:{port}: {exc.strerror}; give another --host or --port"
            ) from None


def check_store_opens(location: str) -> None:
    """Refuse an embedded store that cannot be opened, e.g. one another server holds (opened
    and closed again here, before the server starts)."""
    if location == ":memory:" or location.startswith(("http://", "https://")):
        return
    from cqckg.core.errors import StoreError
    from cqckg.store import open_store

    try:
        open_store(location or None).close()
    except StoreError as exc:
        held = "lock" in str(exc).lower()
        hint = (
            "another process (another cqckg serve or ingest?) has it open; stop that or give "
            "another --store"
            if held
            else "give another --store (or CQCKG_STORE)"
        )
        raise SettingsError(f"{exc}; {hint}") from exc
