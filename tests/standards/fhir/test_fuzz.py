"""Mangled input: reading raises nothing but FhirInputError, always with a position."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanclaim.standards.fhir import (
    FhirInputError,
    iter_ndjson,
    parse,
    to_resource_json,
    validate,
)
from tests.records import full_claim

from . import examples as ex
from .test_roundtrip import RECORDS

SAMPLES = [
    ex.ndjson(ex.INSTITUTIONAL_CLAIM, ex.EOB, ex.ELIGIBILITY_RESPONSE),
    json.dumps(ex.claim_bundle("transaction"), indent=1),
    json.dumps(to_resource_json(full_claim()), default=str),
]
_CHARS = st.sampled_from([*'{}[]:,"0123456789.-e \n\\', "null", "true", "\x00", "é", "\ufeff"])

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
            text = text[:i] + text[i : i + 30] + text[i:]
    return text


def _positioned(line: int | None, entry: int | None, path: str | None) -> bool:
    return line is not None or entry is not None or path is not None


def _check(data: str | bytes) -> None:
    try:
        for _ in parse(data):
            pass
    except FhirInputError as exc:
        assert exc.source == "<fhir>"
        assert _positioned(exc.line, exc.entry, exc.path), exc
    problems = validate(data)
    assert all(_positioned(p.line, p.entry, p.path) for p in problems), problems


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.lists(edit, min_size=1, max_size=5))
def test_mangled_json_only_raises_input_errors(
    text: str, edits: list[tuple[str, float, str]]
) -> None:
    _check(mangle(text, edits))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(SAMPLES), st.binary(min_size=1, max_size=6), st.floats(0, 1))
def test_random_bytes_only_raise_input_errors(text: str, noise: bytes, where: float) -> None:
    data = text.encode()
    i = int(where * len(data))
    _check(data[:i] + noise + data[i:])


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.sampled_from(["resourceType", "id", "item", "type"]), children)
        ),
        max_leaves=12,
    )
)
def test_arbitrary_json_values(value: object) -> None:
    _check(json.dumps(value))
    if isinstance(value, dict):
        _check(json.dumps({**value, "resourceType": "Claim"}))


def _leaves(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))] + [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))] + [path]
    return [path]


def _replace(value: object, path: tuple[object, ...], new: object) -> object:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    assert isinstance(value, list)
    return [_replace(v, rest, new) if i == head else v for i, v in enumerate(value)]


_RESOURCES = [
    ex.claim_bundle(),
    ex.INSTITUTIONAL_CLAIM,
    ex.EOB,
    ex.DENIAL_RESPONSE,
    ex.ELIGIBILITY_RESPONSE,
    *(json.loads(line) for line in iter_ndjson(RECORDS)),
    *(json.loads(line) for line in iter_ndjson(RECORDS[4:6], "ExplanationOfBenefit")),
]
_ODD: list[object] = [None, "", "x", "1", -1, 0, 1.5, True, [], {}, [{}], {"a": 1}]
_VALUES: st.SearchStrategy[object] = st.sampled_from(
    [*_ODD, "2024-01-01", [None], {"reference": "#x"}, {"resourceType": "Nope"}]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_RESOURCES), st.data())
def test_wrong_values_in_valid_json(resource: dict[str, object], data: st.DataObject) -> None:
    changed: object = resource
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_leaves(changed)))
        changed = _replace(changed, path, data.draw(_VALUES))
    _check(json.dumps(changed))
