"""Dependencies shared by the routers: the backend, the settings, write authorisation and
the small request-reading helpers every protocol needs."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request
from starlette.types import Scope

from cqckg.serve.backend import Backend
from cqckg.serve.errors import HttpError
from cqckg.serve.security import tokens_match
from cqckg.serve.settings import Settings


def get_backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def require_writer(request: Request) -> None:
    """Let the request through only with ``Authorization: Bearer <the write token>``.

    Raises:
        HttpError: 403 when the server takes no writes, 401 for a missing or wrong token.
    """
    token = get_settings(request).write_token
    if token is None:
        raise HttpError(403, "this server takes no writes (no CQCKG_WRITE_TOKEN is set)")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not tokens_match(given.strip(), token.get_secret_value()):
        raise HttpError(
            401, "writes need a valid bearer token", {"WWW-Authenticate": 'Bearer realm="cqc-kg"'}
        )


async def _backend(request: Request) -> Backend:
    # A coroutine: FastAPI runs a plain function dependency in its thread pool, a thread hop
    # that cost more per request than the rest of the routing.
    return get_backend(request)


async def _settings(request: Request) -> Settings:
    return get_settings(request)


BackendDep = Annotated[Backend, Depends(_backend)]
SettingsDep = Annotated[Settings, Depends(_settings)]
Writer = Depends(require_writer)


def media_type(request: Request) -> str:
    """The request's media type without parameters, lower case ('' when absent)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def decode_utf8(request: Request, body: bytes) -> str:
    """The body as text; the protocols allow UTF-8 only.

    Raises:
        HttpError: 415 for another declared charset, 400 for bytes that are not UTF-8.
    """
    for param in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise HttpError(415, f"only UTF-8 is accepted, not charset={value.strip()}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(400, f"the body is not valid UTF-8: {exc}") from exc


def form_fields(request: Request, body: bytes) -> dict[str, list[str]]:
    """URL query parameters, plus the fields of a URL-encoded body."""
    fields = parse_form(query_string(request.scope))
    if body:
        for name, values in parse_form(decode_utf8(request, body)).items():
            fields.setdefault(name, []).extend(values)
    return fields


def query_string(scope: Scope) -> str:
    """The request's query string (the part of its URL after ``?``) as sent.

    Raises:
        HttpError: 400 for bytes that are not UTF-8.
    """
    raw: bytes = scope.get("query_string", b"")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(400, f"the URL's query string is not valid UTF-8: {exc}") from exc


def parse_form(text: str) -> dict[str, list[str]]:
    """``parse_qs(text, keep_blank_values=True)``, faster on the usual SPARQL request.

    A URL-encoded query has an escape for every brace, colon, slash and angle bracket, and
    ``urllib``'s unquoting handles each escape in Python (about 0.05 ms for a 1 KB query, a tenth
    of the HTTP process's work on a cheap query). An ASCII value without backslashes is
    unquoted by the codec machinery instead: each ``%XY`` becomes ``\\xXY`` for the
    ``unicode_escape`` codec, whose output read as Latin-1 bytes is the unquoted bytes. Anything
    else (non-ASCII text, a backslash, a ``%`` not followed by two hex digits) goes to
    ``parse_qs`` itself, and the tests compare both on generated and real requests.

    >>> parse_form("query=ASK+%7B%7D&format=json&x")
    {'query': ['ASK {}'], 'format': ['json'], 'x': ['']}
    """
    if not text.isascii() or "\\" in text:
        return parse_qs(text, keep_blank_values=True)
    fields: dict[str, list[str]] = {}
    for pair in text.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        try:
            name, value = _unquote(name), _unquote(value)
        except UnicodeDecodeError:  # a malformed escape: parse_qs keeps it as it is
            return parse_qs(text, keep_blank_values=True)
        fields.setdefault(name, []).append(value)
    return fields


def _unquote(text: str) -> str:
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    raw = text.replace("%", "\\x").encode("ascii").decode("unicode_escape")
    return raw.encode("latin-1").decode("utf-8", "replace")


def single(fields: dict[str, list[str]], name: str) -> str | None:
    """The one value of a parameter, ``None`` if absent.

    Raises:
        HttpError: 400 when the parameter is given more than once.
    """
    values = fields.get(name, [])
    if len(values) > 1:
        raise HttpError(400, f"give {name} once, not {len(values)} times")
    return values[0] if values else None


def endpoint_iri(request: Request) -> str:
    """The URL of the endpoint answering, without its query string (the base IRI it uses)."""
    scope = request.scope
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    server = scope.get("server")
    return _endpoint_iri(
        scope.get("scheme", "http"),
        None if server is None else tuple(server),
        scope.get("root_path", ""),
        scope["path"],
        host,
    )


@lru_cache(maxsize=256)
def _endpoint_iri(
    scheme: str, server: tuple[str, int] | None, root_path: str, path: str, host: bytes | None
) -> str:
    # Starlette's own URL rules, run once per distinct host and path.
    scope = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "root_path": root_path,
        "path": path,
        "headers": [] if host is None else [(b"host", host)],
        "query_string": b"",
    }
    url = Request(scope).url
    return f"{url.scheme}://{url.netloc}{url.path}"


async def read_operation(
    request: Request, field: str, direct: str
) -> tuple[dict[str, list[str]], str]:
    """The parameters and the query or update text of a protocol POST.

    The text comes URL-encoded as ``field`` or as the whole body of type ``direct``.

    Raises:
        HttpError: 415 for another media type, 400 for a form without ``field``.
    """
    kind = media_type(request)
    body = await request.body()
    if kind == "application/x-www-form-urlencoded":
        fields = form_fields(request, body)
        text = single(fields, field)
        if text is None:
            raise HttpError(400, f"the form has no {field} field")
        return fields, text
    if kind == direct:
        return form_fields(request, b""), decode_utf8(request, body)
    raise HttpError(
        415,
        f"POST the {field} as application/x-www-form-urlencoded ({field}=...) or as {direct}, "
        f"not {kind or 'a body without Content-Type'}",
    )
