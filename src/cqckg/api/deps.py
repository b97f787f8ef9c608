"""Dependencies shared by the routers: the backend, the settings, write authorisation and
the small request-reading helpers every protocol needs."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request

from cqckg.api.backend import Backend
from cqckg.api.errors import HttpError
from cqckg.security import tokens_match
from cqckg.settings import Settings


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
    fields = parse_qs(request.url.query, keep_blank_values=True)
    if body:
        for name, values in parse_qs(decode_utf8(request, body), keep_blank_values=True).items():
            fields.setdefault(name, []).extend(values)
    return fields


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
    url = request.url
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
