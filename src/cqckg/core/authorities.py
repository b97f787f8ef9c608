"""The 153 councils and matching the many ways documents and people write their names.

Names come from ``graph/authorities.ttl`` (official, short and alternative names); matching is
on a folded form (case, '&'/'and', punctuation, 'the', council-type words) with rapidfuzz
for near misses. A GSS code or a CQC report slug (``<name>-MMYY``, ``<name>-cc``) works too.
Ingestion, the CLI, the API and the web forms all go through :meth:`AuthorityRegistry.resolve`
(or :meth:`~AuthorityRegistry.match`, which returns ``None`` instead of raising). Examples
of each spelling are in ``tests/core/test_authorities.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from cqckg.core.errors import AmbiguousAuthority, AuthorityNotFound
from cqckg.core.namespaces import CQC
from cqckg.core.paths import graph_dir

# Words that name the kind of council rather than the place: "X City Council" is "X".
_KIND_WORDS = re.compile(
    r"\b(?:london borough of|royal borough of|metropolitan borough council|"
    r"metropolitan district council|"
    r"city of (?=\w)|borough council|county council|city council|district council|council|"
    r"metropolitan borough|london boro|borough|district|ua|mdc)\b"
)


def fold_name(name: str) -> str:
    """Fold a council name to a comparable key.

    >>> fold_name("The Royal Borough of Northtown & Southvale")
    'northtown and southvale'
    >>> fold_name("Eastmere Metropolitan Borough Council")
    'eastmere'
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = text.replace("&", " and ").replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\bthe\b", " ", text)
    stripped = _KIND_WORDS.sub(" ", text)
    stripped = re.sub(r"\s+", " ", stripped).strip()
    return stripped or re.sub(r"\s+", " ", text).strip()


# A CQC report slug: the name run together or hyphenated, then the month and year of
# publication (MMYY), a digit, or 'cc'/'city' for the 2023 pilots; a page may follow, as a
# path ('/summary') or a suffix ('-theme1-needs').
_SLUG_PAGE = re.compile(r"/.*|-theme\d.*")
_SLUG_TAIL = re.compile(r"-(?:\d{1,4}|cc|city)$")
_SLUG_NAME = re.compile(r"[a-z]+(?:-[a-z]+)*")


def compact(name: str, *, keep_and: bool = False) -> str:
    """A name's key without spaces (and without 'and'), as report slugs run names together:
    "Upton & Downton" is ``uptondownton``, but with ``keep_and`` "Upton and Downton" is
    ``uptonanddownton``.

    >>> compact("Upton & Downton"), compact("uptondownton")
    ('uptondownton', 'uptondownton')
    >>> compact("Upton and Downton", keep_and=True)
    'uptonanddownton'
    """
    return re.sub(r"\s+" if keep_and else r"\band\b|\s+", "", fold_name(name))


@dataclass(frozen=True)
class Authority:
    gss: str
    name: str
    short_name: str
    region: str
    names: tuple[str, ...] = field(default=(), compare=False)


class AuthorityRegistry:
    """Look councils up by GSS code or by any spelling of their name."""

    def __init__(self, authorities: list[Authority]) -> None:
        self.authorities = sorted(authorities, key=lambda a: a.gss)
        self.by_gss = {a.gss: a for a in self.authorities}
        self._by_key: dict[str, Authority] = {}
        ambiguous: set[str] = set()
        for a in self.authorities:
            for n in a.names:
                key = fold_name(n)
                other = self._by_key.get(key)
                if other is not None and other.gss != a.gss:
                    ambiguous.add(key)
                self._by_key[key] = a
        for key in ambiguous:
            del self._by_key[key]
        self._keys = sorted(self._by_key)
        self._ambiguous = {
            key: tuple(a for a in self.authorities if key in {fold_name(n) for n in a.names})
            for key in ambiguous
        }
        self._by_compact: dict[str, Authority] = {}
        for key, a in self._by_key.items():
            self._by_compact.setdefault(compact(key), a)
            self._by_compact.setdefault(compact(key, keep_and=True), a)
        # Every folded name with its council, for whole-word searches and suggestions.
        self._spellings = sorted(
            {(fold_name(n), a) for a in self.authorities for n in a.names},
            key=lambda pair: (pair[0], pair[1].gss),
        )
        variants = sorted(
            {n for a in self.authorities for n in a.names if len(fold_name(n)) >= 3},
            key=len,
            reverse=True,
        )
        self._pattern = re.compile(
            r"(?<![\w-])(?:" + "|".join(_loose(v) for v in variants) + r")(?![\w-])",
            re.IGNORECASE,
        )

    @classmethod
    def load(cls, path: Path | None = None) -> AuthorityRegistry:
        """Read councils from ``graph/authorities.ttl`` (cached per path)."""
        return _load(path or graph_dir() / "authorities.ttl")

    def get(self, gss: str) -> Authority:
        try:
            return self.by_gss[gss.strip().upper()]
        except KeyError:
            raise AuthorityNotFound(f"no council has the GSS code {gss!r}") from None

    def match(self, name: str, *, cutoff: float = 92.0) -> Authority | None:
        """The council a name, GSS code or report slug denotes, or ``None`` when nothing is
        close enough (or the name is shared by several councils)."""
        text = name.strip()
        if re.fullmatch(r"[EWSN]\d{8}", text.upper()):
            return self.by_gss.get(text.upper())
        key = fold_name(text)
        if key in self._by_key:
            return self._by_key[key]
        slug = self._slug(text)
        if slug is not None:
            return slug
        found = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        return None if found is None else self._by_key[found[0]]

    def resolve(self, name: str) -> Authority:
        """Like :meth:`match`, and a name that is part of only one council's name (a word
        shared by "North X" and "South X" is not) is that council. Raises
        :class:`AmbiguousAuthority` listing the candidates when several councils fit, else
        :class:`AuthorityNotFound` naming the text and the nearest names."""
        found = self.match(name)
        if found is not None:
            return found
        candidates = self.candidates(name)
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise AmbiguousAuthority(name, [a.name for a in candidates])
        near = self.suggest(name, limit=3, fuzzy=True)
        hint = f"; did you mean {' or '.join(repr(a.name) for a in near)}?" if near else ""
        raise AuthorityNotFound(
            f"no council matches {name!r}{hint} (give a name, a GSS code (E and 8 digits) "
            "or a CQC report slug (the name, then the month and year: name-MMYY))"
        )

    def candidates(self, name: str) -> list[Authority]:
        """The councils a name could be: those that share it, or whose names contain it as
        whole words ("Kingston": upon Hull and upon Thames)."""
        key = fold_name(name)
        if not key:
            return []
        if key in self._ambiguous:
            return list(self._ambiguous[key])
        words = re.compile(r"(?<!\w)" + re.escape(key) + r"(?!\w)")
        found = {a.gss: a for spelling, a in self._spellings if words.search(spelling)}
        return sorted(found.values(), key=lambda a: a.name)

    def suggest(self, text: str, *, limit: int = 10, fuzzy: bool = False) -> list[Authority]:
        """Councils for a name being typed: names starting with it, then names with a word
        starting with it (or, when ``fuzzy`` and none has, near misses), each council once.
        """
        key = fold_name(text) if text.strip() else ""
        if not key:
            return []
        exact = self.match(text, cutoff=100.0)
        ranked: dict[str, Authority] = {exact.gss: exact} if exact else {}
        starts = [a for spelling, a in self._spellings if spelling.startswith(key)]
        inside = re.compile(r"(?<!\w)" + re.escape(key))
        within = [a for spelling, a in self._spellings if inside.search(spelling)]
        for a in sorted(starts, key=lambda a: a.name) + sorted(within, key=lambda a: a.name):
            ranked.setdefault(a.gss, a)
        if fuzzy and not ranked:  # near misses only when nothing has what was typed
            near = process.extract(key, self._keys, scorer=fuzz.WRatio, limit=limit)
            for spelling, score, _ in near:
                if score >= 75:
                    ranked.setdefault(self._by_key[spelling].gss, self._by_key[spelling])
        return list(ranked.values())[:limit]

    def _slug(self, text: str) -> Authority | None:
        """The council a CQC report slug names (``{name}-0525``, ``{name}-cc``; names run
        together)."""
        slug = _SLUG_TAIL.sub("", _SLUG_PAGE.sub("", text.lower(), count=1))
        if not _SLUG_NAME.fullmatch(slug):
            return None
        return self._by_compact.get(compact(slug.replace("-", " ")))

    def find_in_text(self, text: str) -> list[tuple[Authority, int, int]]:
        """Every mention of a council in a text, with offsets, longest spelling first."""
        out = []
        for m in self._pattern.finditer(text):
            a = self.match(m.group(0), cutoff=100.0)
            if a is not None:
                out.append((a, m.start(), m.end()))
        return out


def _loose(name: str) -> str:
    """A regex for a name that tolerates '&' for 'and', curly apostrophes and spacing."""
    parts = []
    for piece in re.split(r"(\s+|&|\band\b|'|’|,)", name):
        if not piece or piece.isspace():
            parts.append(r"\s+" if piece else "")
        elif piece == "&" or piece.casefold() == "and":
            parts.append(r"(?:&|and)")
        elif piece in ("'", "’"):
            parts.append(r"['’]")
        elif piece == ",":
            parts.append(r",?")
        else:
            parts.append(re.escape(piece))
    return re.sub(r"(?:\\s\+)+", r"\\s+", "".join(parts))


@cache
def _load(path: Path) -> AuthorityRegistry:
    g = Graph().parse(path, format="turtle")
    authorities = []
    for s in g.subjects(RDF.type, CQC.LocalAuthority):
        gss = str(g.value(s, CQC.gssCode))
        name = str(g.value(s, SKOS.prefLabel))
        short = str(g.value(s, CQC.shortName))
        names = {name, short, *(str(o) for o in g.objects(s, SKOS.altLabel))}
        authorities.append(
            Authority(
                gss=gss,
                name=name,
                short_name=short,
                region=str(g.value(s, CQC.region)),
                names=tuple(sorted(names)),
            )
        )
    return AuthorityRegistry(authorities)
