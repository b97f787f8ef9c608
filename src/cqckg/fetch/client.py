"""A polite HTTP client that stays on one site.

- identifies itself (``cqc-kg/<version> (+project URL)``) and obeys the site's robots.txt
  (RFC 9309: a robots.txt that is missing allows everything, one that cannot be reached forbids
  everything; a ``Crawl-delay`` longer than the rate's interval is kept);
- starts at most ``rate`` requests a second, retries included;
- retries a 429, a 5xx, a timeout or a dropped connection with exponential backoff (tenacity),
  waiting at least what ``Retry-After`` asks;
- follows redirects itself, and only within the site (same scheme, host and port);
- reads bodies streamed and stops at ``max_bytes``;
- sends conditional requests (``If-None-Match`` / ``If-Modified-Since``) when told what it has.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
import tenacity

from cqckg import __version__
from cqckg.core.errors import CqcKgError

PROJECT_URL = "https://w3id.org/cqc-kg/"
USER_AGENT = f"cqc-kg/{__version__} (+{PROJECT_URL})"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(CqcKgError):
    """An address could not be fetched; the message says which and why, in one line."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class Disallowed(FetchError):
    """The site's robots.txt asks robots not to fetch this address."""


@dataclass(frozen=True)
class FetchSettings:
    rate: float = 1.0  # requests started per second, at most
    timeout: float = 30.0  # seconds to connect, and between two reads of a response
    retries: int = 4  # further attempts after a 429, a 5xx or a network failure
    backoff: float = 1.0  # seconds before the first retry; doubled each time
    max_wait: float = 120.0  # the longest Retry-After honoured (a longer one gives up)
    max_bytes: int = 20 * 1024 * 1024  # the largest response body read (the readers take 20 MiB)
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    """A response: 200 with its body, or 304 (``body`` is ``None``: what we have is current)."""

    url: str  # the address answered, after redirects
    status: int
    body: bytes | None
    content_type: str
    etag: str | None
    last_modified: str | None


class _Retryable(Exception):
    """An attempt to try again: a 429/5xx (with its Retry-After, if any) or a network failure."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def check_site(site: str) -> str:
    """``site`` as an origin URL (``scheme://host[:port]``), or a one-line error."""
    parts = urlsplit(site.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(site, "not an http(s) address of a site (expected e.g. https://host)")
    if parts.username is not None or parts.password is not None:
        raise FetchError(site, "an address with a user name or password is not fetched")
    return f"{parts.scheme}://{parts.netloc}"


class SiteClient:
    """Fetches addresses of one site. Thread-safe pacing; one instance per site and run."""

    def __init__(self, site: str, settings: FetchSettings | None = None) -> None:
        self.site = check_site(site)
        self.settings = settings or FetchSettings()
        if self.settings.rate <= 0:
            raise FetchError(self.site, "the request rate must be above 0")
        self._origin = _origin(self.site)
        self._interval = 1.0 / self.settings.rate
        self._next_start = 0.0
        self._lock = threading.Lock()
        self._robots: RobotFileParser | None = None
        self._http = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(self.settings.timeout),
            headers={"User-Agent": USER_AGENT},
            trust_env=False,
        )
        self.requests = 0  # requests sent, retries included

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SiteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET ``url`` (on this site, allowed by robots.txt), conditionally when given what we
        hold; raises :class:`FetchError` with the reason when it cannot."""
        self._check(url)
        self._check_robots(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, headers)

    def _get(self, url: str, headers: dict[str, str], *, robots: bool = True) -> Fetched:
        for _ in range(self.settings.max_redirects + 1):
            status, head, body = self._with_retries(url, headers)
            if status in _REDIRECTS and "location" in head:
                target = urljoin(url, head["location"])
                if _origin(target) != self._origin:
                    raise FetchError(url, f"redirects to another site ({target}); not followed")
                if robots:
                    self._check_robots(target)
                url = target
                continue
            if status == 304:
                return Fetched(url, 304, None, "", head.get("etag"), head.get("last-modified"))
            if status != 200:
                raise FetchError(url, f"HTTP {status} {_reason(status)}")
            return Fetched(
                url,
                200,
                body,
                head.get("content-type", ""),
                head.get("etag"),
                head.get("last-modified"),
            )
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    def _with_retries(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retryable),
            stop=tenacity.stop_after_attempt(self.settings.retries + 1),
            wait=self._wait,
            reraise=True,
        )
        try:
            return retrying(self._attempt, url, headers)
        except _Retryable as exc:
            tries = self.settings.retries + 1
            raise FetchError(url, f"{exc.reason} ({tries} attempt(s))") from None

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """Exponential backoff, or what the server's Retry-After asks when that is longer."""
        backoff = self.settings.backoff * 2 ** (state.attempt_number - 1)
        exc = state.outcome.exception() if state.outcome else None
        asked = exc.retry_after if isinstance(exc, _Retryable) else None
        return float(max(backoff, asked or 0.0))

    def _attempt(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self._pace()
        self.requests += 1
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                status = response.status_code
                head = {k.lower(): v for k, v in response.headers.items()}
                if status in _RETRY_STATUSES:
                    wait = _retry_after(head.get("retry-after"))
                    reason = f"HTTP {status} {_reason(status)}"
                    if wait is not None and wait > self.settings.max_wait:
                        raise FetchError(url, f"{reason}; the site asks to wait {wait:.0f} s")
                    raise _Retryable(reason, wait)
                body = self._read(url, response) if status == 200 else b""
        except httpx.TimeoutException:
            raise _Retryable(f"timed out after {self.settings.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"network error: {exc or type(exc).__name__}") from None
        return status, head, body

    def _read(self, url: str, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"{int(declared)} bytes is over the {limit}-byte limit")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(url, f"response is over the {limit}-byte limit; stopped reading")
            chunks.append(chunk)
        return b"".join(chunks)

    def _pace(self) -> None:
        """Wait until this request may start: one every ``1/rate`` seconds (or Crawl-delay)."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._interval
        if start > now:
            time.sleep(start - now)

    @property
    def interval(self) -> float:
        """Seconds between the starts of two requests: ``1/rate``, or robots.txt's Crawl-delay
        when longer (known once robots.txt is read)."""
        return self._interval

    def on_site(self, url: str) -> bool:
        """Whether ``url`` is on this site (same scheme, host and port)."""
        return _origin(url) == self._origin

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(url, "only http and https addresses are fetched")
        if _origin(url) != self._origin:
            raise FetchError(url, f"not on the site being fetched ({self.site})")

    def _check_robots(self, url: str) -> None:
        if self._robots is None:
            self._robots = self._read_robots()
        if not self._robots.can_fetch(USER_AGENT, url):
            raise Disallowed(url, "the site's robots.txt disallows it")

    def _read_robots(self) -> RobotFileParser:
        robots = RobotFileParser(f"{self.site}/robots.txt")
        try:
            fetched = self._get(f"{self.site}/robots.txt", {}, robots=False)
        except FetchError as exc:
            if exc.reason.startswith("HTTP 4"):
                robots.parse([])  # no robots.txt: everything allowed
                return robots
            raise FetchError(exc.url, f"robots.txt cannot be read ({exc.reason})") from None
        robots.parse((fetched.body or b"").decode("utf-8", errors="replace").splitlines())
        delay = robots.crawl_delay(USER_AGENT)
        if delay is not None:
            self._interval = max(self._interval, float(delay))
        return robots


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = (parts.hostname or "").rstrip(".")
    return parts.scheme, host, parts.port or default


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number of seconds or an HTTP date).

    >>> _retry_after("120"), _retry_after("Thu, 01 Jan 1970 00:00:00 GMT"), _retry_after("soon")
    (120.0, 0.0, None)
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _reason(status: int) -> str:
    phrase: Any = httpx.codes.get_reason_phrase(status)
    return str(phrase)
