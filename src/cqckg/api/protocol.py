"""uvicorn's httptools protocol, sending a response's head and its first body chunk in one write.

uvicorn writes the status line and headers to the socket when the app sends
``http.response.start`` and the body when it sends ``http.response.body``: two writes, two TCP
segments, and a client reads every response in two reads (for a Python client such as httpx,
two trips through its event loop or selector: about 0.2 ms a request on a cheap query).
:class:`OneWriteProtocol` keeps the head until the next ``send`` and writes it together with what
that ``send`` writes, so a whole ``Response`` leaves in one write. A streamed body still goes out
chunk by chunk (the head with the first); a response without body bytes (``HEAD``, 204, 304)
goes out when its body message is sent. Only the response head is held, never an interim
``100 Continue``.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class _Held:
    """A transport stand-in that keeps what is written (the response head)."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.chunks.append(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class _Prefixed:
    """A transport stand-in that puts ``head`` in front of the first write."""

    def __init__(self, transport: Any, head: bytes) -> None:
        self.transport = transport
        self.head: bytes | None = head

    def write(self, data: bytes) -> None:
        if self.head is not None:
            data, self.head = self.head + data, None
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class OneWriteCycle(RequestResponseCycle):
    """A request/response cycle whose response head goes out with the first body write."""

    _head: bytes | None = None

    async def send(self, message: Any) -> None:
        transport = self.transport
        if message["type"] == "http.response.start" and not self.response_started:
            held = _Held(transport)
            self.transport = held  # type: ignore[assignment]
            try:
                await super().send(message)
            finally:
                self.transport = transport
            self._head = b"".join(held.chunks) or None
            return
        head, self._head = self._head, None
        if head is None:
            await super().send(message)
            return
        prefixed = _Prefixed(transport, head)
        self.transport = prefixed  # type: ignore[assignment]
        try:
            await super().send(message)
        finally:
            self.transport = transport
            if prefixed.head is not None:  # nothing was written (HEAD, an empty body)
                transport.write(prefixed.head)


class OneWriteProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with :class:`OneWriteCycle` (``uvicorn.run(http=...)``)."""

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        if type(cycle) is RequestResponseCycle:
            cycle.__class__ = OneWriteCycle
        super()._start_asgi_task(cycle, app)
