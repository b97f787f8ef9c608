"""The one-write HTTP protocol (``cqckg.api.protocol``): a response's head leaves with its body,
and nothing else about the response changes."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from uvicorn.protocols.http.flow_control import FlowControl

from cqckg.api.protocol import OneWriteCycle, OneWriteProtocol


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        """Nothing to close."""

    def pause_reading(self) -> None:
        """Reading is not simulated."""

    def resume_reading(self) -> None:
        """Reading is not simulated."""


def _cycle(
    method: str = "GET", expect_100_continue: bool = False
) -> tuple[OneWriteCycle, _Transport]:
    transport = _Transport()
    scope: Any = {"type": "http", "method": method, "http_version": "1.1", "headers": []}
    cycle = OneWriteCycle(
        scope=scope,
        transport=transport,  # type: ignore[arg-type]
        flow=FlowControl(transport),  # type: ignore[arg-type]
        logger=logging.getLogger("test"),
        access_logger=logging.getLogger("test"),
        access_log=False,
        default_headers=[],
        message_event=asyncio.Event(),
        expect_100_continue=expect_100_continue,
        keep_alive=True,
        on_response=lambda: None,
    )
    return cycle, transport


def _start(length: int | None) -> dict[str, Any]:
    headers = [(b"content-type", b"text/plain")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": "http.response.start", "status": 200, "headers": headers}


def test_a_response_leaves_in_one_write() -> None:
    async def run() -> list[bytes]:
        cycle, transport = _cycle()
        await cycle.send(_start(5))
        assert transport.writes == []  # the head waits for the body
        await cycle.send({"type": "http.response.body", "body": b"hello"})
        return transport.writes

    (write,) = asyncio.run(run())
    assert write.startswith(b"HTTP/1.1 200 OK\r\n") and write.endswith(b"\r\n\r\nhello")


def test_streamed_bodies_head_requests_and_100_continue() -> None:
    async def streamed() -> list[bytes]:
        cycle, transport = _cycle()
        await cycle.send(_start(None))
        await cycle.send({"type": "http.response.body", "body": b"one", "more_body": True})
        await cycle.send({"type": "http.response.body", "body": b"two", "more_body": False})
        return transport.writes

    head_and_first, rest = asyncio.run(streamed())
    assert b"transfer-encoding: chunked" in head_and_first and head_and_first.endswith(b"one\r\n")
    assert rest == b"3\r\ntwo\r\n0\r\n\r\n"

    async def head() -> list[bytes]:
        cycle, transport = _cycle("HEAD")
        await cycle.send(_start(5))
        await cycle.send({"type": "http.response.body", "body": b""})
        return transport.writes

    (only,) = asyncio.run(head())
    assert only.startswith(b"HTTP/1.1 200 OK") and only.endswith(b"\r\n\r\n")

    async def continue_first() -> list[bytes]:
        cycle, transport = _cycle("POST", expect_100_continue=True)
        cycle.more_body = False
        cycle.message_event.set()
        await cycle.receive()  # the interim response is never held
        assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
        await cycle.send(_start(2))
        await cycle.send({"type": "http.response.body", "body": b"ok"})
        return transport.writes

    interim, final = asyncio.run(continue_first())
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n" and final.endswith(b"\r\n\r\nok")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def one_write_server() -> Iterator[tuple[str, list[object]]]:
    seen: list[object] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        seen.append(getattr(send, "__self__", None))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"answered"})

    port = _free_port()
    config = uvicorn.Config(
        app, port=port, http=OneWriteProtocol, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_uvicorn_runs_the_one_write_cycle(one_write_server: tuple[str, list[object]]) -> None:
    """Guards the hook into uvicorn: if it moved, requests would silently take two writes."""
    url, seen = one_write_server
    with httpx.Client() as client:  # two requests on one kept-alive connection
        assert [client.get(url).text for _ in range(2)] == ["answered", "answered"]
    assert len(seen) == 2 and all(isinstance(cycle, OneWriteCycle) for cycle in seen)
