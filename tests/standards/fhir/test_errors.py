"""Malformed or unmappable input: FhirInputError names file, resource, element path and cause;
validation lists every problem instead of stopping at the first."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cleanclaim.errors import InputError
from cleanclaim.standards.fhir import FhirInputError, FhirProblem, parse, validate

from . import examples as ex


def _error(data: str | bytes | Path) -> FhirInputError:
    with pytest.raises(FhirInputError) as info:
        list(parse(data))
    assert isinstance(info.value, InputError)
    return info.value


def _claim(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(ex.INSTITUTIONAL_CLAIM)
    data.update(changes)
    return data


def test_model_error_names_the_element(tmp_path: Path) -> None:
    bad = _claim()
    bad["item"][0]["quantity"] = {"value": "many"}
    path = tmp_path / "claims.ndjson"
    path.write_text(ex.ndjson(ex.INSTITUTIONAL_CLAIM, ex.INSTITUTIONAL_CLAIM, bad))
    err = _error(path)
    assert (err.source, err.line, err.path) == (str(path), 3, "Claim.item[0].quantity.value")
    assert err.problem.resource_type == "Claim" and err.problem.resource_id == "inst1"
    assert str(err).startswith(f"{path}, line 3, Claim/inst1, Claim.item[0].quantity.value: ")


def test_unmappable_values() -> None:
    oral = _claim(type={"coding": [{"code": "oral"}]})
    assert _error(json.dumps(oral)).path == "Claim.type"
    no_member = _claim(patient={"display": "someone"})
    assert _error(json.dumps(no_member)).path == "Claim.patient"
    bad_dx = _claim()
    bad_dx["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["system"] = "urn:other"
    assert _error(json.dumps(bad_dx)).path == "Claim.diagnosis[0].diagnosisCodeableConcept"
    no_charge = _claim()
    del no_charge["item"][0]["net"]
    assert _error(json.dumps(no_charge)).path == "Claim.item[0].net"


def test_canonical_rule_is_placed_on_the_fhir_element() -> None:
    many = _claim()
    many["item"][0]["modifier"] = [{"coding": [{"code": m}]} for m in "ABCDE"]
    err = _error(json.dumps(many))
    assert err.path == "Claim.item[0].modifier" and "at most 4" in err.cause


def test_bundle_entry_position() -> None:
    bad = _claim(status="active", id="bad")
    bad["item"][0]["sequence"] = "first"
    text = json.dumps(ex.bundle(ex.PAYER, ex.INSTITUTIONAL_CLAIM, bad), indent=1)
    err = _error(text)
    assert (err.entry, err.path, err.line) == (2, "Claim.item[0].sequence", None)


def test_json_syntax_error_has_its_line() -> None:
    text = json.dumps(ex.INSTITUTIONAL_CLAIM, indent=2)
    broken = text.replace('"use": "claim",', '"use": "claim"', 1)
    err = _error("\n\n" + broken)
    assert err.line == 2 + text[: text.index('"use"')].count("\n") + 2
    assert err.cause.startswith("invalid JSON")


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("[1, 2]", "not a FHIR resource"),
        ('{"id": "x"}', "no resourceType"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": 3}', "entry is not a list"),
        ('{"resourceType": "Bundle", "type": "nope", "entry": []}', "not a Bundle type"),
        ("NaN", "invalid JSON"),
    ],
)
def test_not_fhir(text: str, cause: str) -> None:
    err = _error(text)
    assert cause in err.cause and (err.line is not None or err.path is not None)


def test_bytes_that_are_not_utf8() -> None:
    err = _error(ex.ndjson(ex.PAYER).encode() + b'{"resourceType": "\xff"}\n')
    assert err.line == 2 and "UTF-8" in err.cause


def test_validate_collects_every_problem() -> None:
    no_member = _claim(patient={"display": "someone"}, id="a")
    oral = _claim(type={"coding": [{"code": "oral"}]}, id="b")
    oral["item"][0]["quantity"] = {"value": "x"}
    text = ex.ndjson(no_member, ex.INSTITUTIONAL_CLAIM, oral) + "{oops\n" + ex.ndjson(ex.EOB)
    problems = validate(text)
    assert [(p.line, p.path) for p in problems] == [
        (1, "Claim.patient"),
        (3, "Claim.item[0].quantity.value"),
        (4, None),
    ]
    assert all(isinstance(p, FhirProblem) for p in problems)
    assert json.loads(json.dumps([p.as_dict() for p in problems]))[0]["resource_id"] == "a"
    assert validate(ex.ndjson(ex.EOB, ex.INSTITUTIONAL_CLAIM)) == []


def test_validate_lists_several_problems_of_one_resource() -> None:
    bad = _claim(type={"coding": [{"code": "oral"}]}, patient={"display": "x"})
    paths = {p.path for p in validate(json.dumps(bad))}
    assert paths == {"Claim.type", "Claim.patient"}
    err = _error(json.dumps(bad))
    assert len(err.problems) == 2 and "and 1 more" in str(err)


def test_a_preauthorization_request_is_not_a_claim() -> None:
    err = _error(json.dumps(_claim(use="preauthorization")))
    assert err.path == "Claim.use" and err.problem.value == "preauthorization"
