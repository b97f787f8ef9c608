"""The council matcher: any usual spelling, a GSS code or a CQC report slug; ambiguity named."""

from __future__ import annotations

import pytest

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.errors import AmbiguousAuthority, AuthorityNotFound


@pytest.fixture(scope="module")
def registry() -> AuthorityRegistry:
    return AuthorityRegistry.load()


@pytest.mark.parametrize(
    ("text", "gss"),
    [
        ("Westminster", "E09000033"),
        ("City of Westminster", "E09000033"),
        ("westminster city council", "E09000033"),
        ("Hammersmith & Fulham", "E09000013"),
        ("London Borough of Hammersmith and Fulham", "E09000013"),
        ("Bristol", "E06000023"),
        ("Bristol, City of", "E06000023"),
        ("E09000033", "E09000033"),
        ("e09000033", "E09000033"),
        ("Richmond", "E09000027"),  # only one council's name has the word
        ("London Borough of Barking & Dagenham", "E09000002"),
        ("Leeds City Council", "E08000035"),
        ("The Royal Borough of Windsor & Maidenhead", "E06000040"),
        # CQC report slugs: name run together or hyphenated, then MMYY, a digit, cc or city
        ("hammersmithfulham-0525", "E09000013"),
        ("northtyneside-0725", "E08000022"),
        ("birmingham-cc", "E08000025"),
        ("leeds-0824", "E08000035"),
        ("camden-0225", "E09000007"),
        ("kingston-upon-thames-0124", "E09000021"),
        ("birmingham-cc/1-how-local-authority-works-people/assessing-needs", "E08000025"),
    ],
)
def test_resolve_takes_names_codes_and_slugs(
    registry: AuthorityRegistry, text: str, gss: str
) -> None:
    assert registry.resolve(text).gss == gss


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tyneside", {"North Tyneside Council", "South Tyneside Council"}),
        ("Sussex", {"East Sussex County Council", "West Sussex County Council"}),
        ("Kingston", {"Hull City Council", "Royal Borough of Kingston upon Thames"}),
        ("Yorkshire", {"East Riding of Yorkshire Council", "North Yorkshire Council"}),
    ],
)
def test_an_ambiguous_name_lists_its_candidates(
    registry: AuthorityRegistry, text: str, expected: set[str]
) -> None:
    with pytest.raises(AmbiguousAuthority) as caught:
        registry.resolve(text)
    assert set(caught.value.candidates) == expected
    for name in expected:
        assert name in str(caught.value)
    # Ingestion's lenient form never guesses between them.
    assert registry.match(text) is None


def test_nothing_close_names_the_nearest(registry: AuthorityRegistry) -> None:
    with pytest.raises(AuthorityNotFound, match="did you mean 'London Borough of Hammersmith"):
        registry.resolve("Hamersmith")
    with pytest.raises(AuthorityNotFound, match="no council matches 'Atlantis'"):
        registry.resolve("Atlantis")


def test_match_keeps_its_lenient_contract(registry: AuthorityRegistry) -> None:
    assert registry.match("Leeds City Council") is registry.get("E08000035")
    assert registry.match("E99999999") is None
    assert registry.match("nowhere at all") is None


def test_suggestions_follow_what_is_typed(registry: AuthorityRegistry) -> None:
    assert [a.gss for a in registry.suggest("westmi")] == ["E09000033"]
    names = [a.name for a in registry.suggest("north", limit=20)]
    assert "North Tyneside Council" in names
    assert "Northumberland County Council" in names
    assert len(names) == len(set(names))
    assert registry.suggest("  ") == []


def test_a_council_is_found_in_running_text(registry: AuthorityRegistry) -> None:
    found = registry.find_in_text("CQC rates Leeds City Council's provision")
    assert [a.gss for a, _, _ in found] == ["E08000035"]
