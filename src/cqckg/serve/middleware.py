"""ASGI middleware every response goes through: security headers and the request-body deadline.

:class:`SecurityHeaders` adds the headers a public, read-mostly endpoint should send on every
response (a page may set a stricter ``Content-Security-Policy`` of its own, which is kept).
:class:`BodyGuard` answers ``413`` for a body over the size limit and ``408`` when a body has
not fully arrived within the configured seconds, so a client trickling its body cannot hold the
request open for ever.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The offline UI only loads the server's own scripts, styles and images; nothing may frame it.
DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", DEFAULT_CSP.encode()),
)
# FastAPI's interactive API docs load their script from a CDN; a CSP of 'self' would blank them.
_CSP_EXEMPT = ("/docs", "/redoc")
_NO_CSP = tuple(h for h in SECURITY_HEADERS if h[0] != b"content-security-policy")
_NAMES = frozenset(name for name, _ in SECURITY_HEADERS)


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = _NO_CSP if str(scope.get("path", "")).startswith(_CSP_EXEMPT) else SECURITY_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                if present.isdisjoint(_NAMES):  # the usual response: all of them, in order
                    headers += added
                else:
                    headers += [(n, v) for n, v in added if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


class BodyGuard:
    """Refuse a request body over ``limit`` bytes (413) or not all arrived ``seconds`` after
    the request started (408), before the app has read it all.

    A declared ``Content-Length`` over the limit is refused at once; a chunked body is counted
    as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int, seconds: float) -> None:
        self.app = app
        self.limit = limit
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = chunked = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = value
        if declared is None and chunked is None:  # HTTP/1.1: no body, nothing to guard
            await self.app(scope, receive, send)
            return
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _refuse(send, 413, self._too_large)
            return
        deadline = asyncio.get_running_loop().time() + self.seconds
        seen = 0
        complete = started = False

        async def guarded_receive() -> Message:
            nonlocal seen, complete
            if complete:  # after the body, receive only reports a disconnect: no deadline
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _BodyRefused(408, self._too_slow) from None
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyRefused(413, self._too_large)
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracked_send)
        except _BodyRefused as refused:
            if not started:
                await _refuse(send, refused.status, refused.message)

    @property
    def _too_large(self) -> str:
        return f"the request body is larger than {self.limit} bytes"

    @property
    def _too_slow(self) -> str:
        return f"the request body did not arrive within {self.seconds:g} s"


async def _refuse(send: Send, status: int, message: str) -> None:
    body = f"{message}\n".encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"connection", b"close"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
