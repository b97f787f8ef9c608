"""HTML pages: Jinja2 templates with autoescaping on, links that stay safe, one response helper.

Every value a template prints is escaped; the only markup that is not is built by
:mod:`cqckg.serve.charts`, which escapes its own texts. Links come from :class:`Links`, which turns
the graph's IRIs into local paths and never yields anything but a local path or an ``http(s)``
URL, so an IRI such as ``javascript:...`` prints as text. Pages send a Content Security Policy
allowing only the server's own scripts, styles and images.

>>> links = Links("https://w3id.org/cqc-kg/")
>>> links.href("https://w3id.org/cqc-kg/id/authority/E08000035")
'/doc/authority/E08000035'
>>> links.href("https://w3id.org/cqc-kg/def#Assessment")
'/def#Assessment'
>>> links.href("javascript:alert(1)") is None
True
>>> links.curie("http://purl.org/dc/terms/issued")
'dcterms:issued'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cqckg import __version__
from cqckg.core.namespaces import PREFIXES
from cqckg.serve.description import Quote

TEMPLATES = Path(__file__).resolve().parent / "templates"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals["version"] = __version__


@dataclass(frozen=True)
class Links:
    """Hrefs for the graph's IRIs on this server (``base`` is the graph's IRI base)."""

    base: str

    def local(self, iri: str) -> str | None:
        """The server path for an IRI under the base (``/doc/...`` for things), else ``None``."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :]
        if rest.startswith("id/"):
            return "/doc/" + rest[3:]
        return "/" + rest

    def href(self, iri: str) -> str | None:
        """Where a link to ``iri`` goes: a local path, the IRI itself if http(s), else ``None``."""
        local = self.local(iri)
        if local is not None:
            return local
        return iri if iri.startswith(("https://", "http://")) else None

    def curie(self, iri: str) -> str:
        """``prefix:name`` for an IRI in a known namespace, else the IRI."""
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    @staticmethod
    def quote(quote: Quote) -> str:
        """The source view of a quote's document, the quoted span highlighted and in view."""
        sha = quote.source.rstrip("/").rsplit("/", 1)[-1]
        if quote.start is None or quote.end is None:
            return f"/doc/source/{sha}"
        return f"/doc/source/{sha}?{urlencode({'start': quote.start, 'end': quote.end})}#quote"


def render(template: str, **context: Any) -> str:
    """The named template rendered with ``context`` (every printed value escaped)."""
    return _env.get_template(template).render(**context)


def html_response(
    body: str, status: int = 200, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """An HTML response with the pages' Content Security Policy (the app's middleware adds
    the other security headers to every response)."""
    sent = {"Content-Security-Policy": CSP, **(headers or {})}
    return HTMLResponse(body, status_code=status, headers=sent)
