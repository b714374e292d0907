"""Mangled input: parsing raises nothing but X12ParseError, always with a position."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanclaim.standards.x12 import X12ParseError, parse, parse_claim_batch, validate

from .samples import sample

SAMPLES = [sample("837P"), sample("837I", eol=""), sample("835", eol="\r\n")]
NEW_SAMPLES = [
    sample("999"),
    sample("277CA", eol=""),
    sample("277"),
    sample("276", eol="\r\n"),
    sample("834", eol="\r\n"),
    sample("270"),
    sample("271", eol=""),
]
_CHARS = st.sampled_from([*"*:~^\r\n ISAGSTE0123456789-.|", "\x00", "é", "\ufeff"])

edit = st.tuples(
    st.sampled_from(["insert", "delete", "replace", "truncate", "duplicate"]),
    st.floats(min_value=0, max_value=1),
    _CHARS,
)


def mangle(text: str, edits: list[tuple[str, float, str]]) -> str:
    for kind, where, char in edits:
        i = int(where * len(text))
        if kind == "insert":
            text = text[:i] + char + text[i:]
        elif kind == "delete":
            text = text[:i] + text[i + 1 :]
        elif kind == "replace":
            text = text[:i] + char + text[i + 1 :]
        elif kind == "truncate":
            text = text[:i]
        else:
            text = text[:i] + text[i : i + 40] + text[i:]
    return text


def _check(data: str | bytes) -> None:
    try:
        for _ in parse(data):
            pass
    except X12ParseError as exc:
        assert exc.segment is not None, exc
        assert exc.source == "<x12>"
    try:
        parse_claim_batch(data)
    except X12ParseError as exc:
        assert exc.segment is not None, exc
    problems = validate(data)
    assert all(p.segment is not None for p in problems), problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.lists(edit, min_size=1, max_size=6))
def test_mangled_text_only_raises_parse_errors(
    text: str, edits: list[tuple[str, float, str]]
) -> None:
    _check(mangle(text, edits))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NEW_SAMPLES), st.lists(edit, min_size=1, max_size=6))
def test_mangled_acknowledgments_enrollment_and_eligibility(
    text: str, edits: list[tuple[str, float, str]]
) -> None:
    _check(mangle(text, edits))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SAMPLES + NEW_SAMPLES), st.binary(min_size=1, max_size=8), st.floats(0, 1))
def test_random_bytes_only_raise_parse_errors(text: str, noise: bytes, where: float) -> None:
    data = text.encode()
    i = int(where * len(data))
    _check(data[:i] + noise + data[i:])


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    _check(text)
    _check("ISA" + text)
