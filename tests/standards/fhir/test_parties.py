"""Payer <-> Organization, Plan <-> InsurancePlan, Provider <-> PractitionerRole and
Authorization <-> ClaimResponse (use preauthorization): round trips both ways, how resources
from other systems read, and refused input with its position."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleanclaim.cli.fhir import app
from cleanclaim.domain import Authorization, Payer, Plan, Provider, Record
from cleanclaim.standards.fhir import (
    FhirInputError,
    iter_ndjson,
    parse,
    to_resource,
    to_resource_json,
    validate,
    write_bundle,
)
from cleanclaim.standards.fhir.systems import (
    EXT_APPEAL_WINDOW_DAYS,
    EXT_NETWORK,
    EXT_TIMELY_FILING_DAYS,
    NAMESPACE,
    PRODUCT_LINE,
)
from tests.records import full_records

from . import examples as ex


def _full(kind: type[Record]) -> list[Record]:
    return full_records()[kind]


def _org_provider() -> Provider:
    return Provider(
        payer_id="PAYER01",
        npi="1234567893",
        entity_type="2",
        name="Springfield Clinic",
        network_status="in_network",
    )


def _minimal_plan() -> Plan:
    return Plan(plan_id="P 1", payer_id="PAYER01", name="Basic", product_line="medicaid")


def _auth(**changes: Any) -> Authorization:
    data = _full(Authorization)[0].model_dump() | changes
    return Authorization.model_validate(data)


PARTIES: list[Record] = [
    *_full(Payer),
    Payer(payer_id="P2", name="Small Payer", timely_filing_days=90, appeal_window_days=60),
    *_full(Plan),
    _minimal_plan(),
    *_full(Provider),
    _org_provider(),
    *_full(Authorization),
    _auth(auth_id="PA-2", status="pending", provider_npi=None, decided_on=None),
    _auth(auth_id="PA-3", status="denied", units_used="0"),
    _auth(auth_id="PA-4", status="cancelled"),
]


@pytest.mark.parametrize("record", PARTIES, ids=lambda r: type(r).__name__)
def test_one_resource_round_trip(record: Record) -> None:
    assert list(parse(to_resource(record).model_dump_json())) == [record]


def test_bundle_and_ndjson_round_trip(tmp_path: Path) -> None:
    out = io.StringIO()
    assert write_bundle(PARTIES, out, bundle_type="transaction") == len(PARTIES)
    assert list(parse(out.getvalue())) == PARTIES
    path = tmp_path / "parties.ndjson"
    path.write_text("".join(iter_ndjson(PARTIES)))
    assert list(parse(path)) == PARTIES
    unchecked = [json.loads(line) for line in iter_ndjson(PARTIES, check=False)]
    assert unchecked == [json.loads(line) for line in iter_ndjson(PARTIES)]


def test_written_resources_use_standard_elements() -> None:
    payer = to_resource_json(_full(Payer)[0])
    assert payer["resourceType"] == "Organization" and payer["name"] == "Example Health Plan"
    assert payer["type"][0]["coding"][0]["code"] == "pay"
    plan = to_resource_json(_full(Plan)[0])
    assert plan["ownedBy"]["identifier"]["value"] == "PAYER01"
    benefits = plan["coverage"][0]["benefit"]
    auth = [b for b in benefits if "requirement" in b]
    assert [b["type"]["coding"][0]["code"] for b in auth] == ["70553", "E0601"]
    assert {b["type"]["coding"][0]["system"] for b in auth} == {ex.CPT, ex.HCPCS}
    limits = [b["limit"][0]["value"]["value"] for b in benefits if "limit" in b]
    assert limits == [Decimal("20"), Decimal("12")] or len(limits) == len(_full(Plan)[0].limits)
    role = to_resource_json(_full(Provider)[0])
    assert role["practitioner"]["identifier"] == {"system": ex.NPI, "value": "1245319599"}
    assert role["period"] == {"start": dt.date(2020, 1, 1), "end": dt.date(2025, 6, 30)}
    assert role["contained"][0]["resourceType"] == "Practitioner"
    assert to_resource_json(_org_provider())["organization"]["reference"] == "#provider"
    response = to_resource_json(_full(Authorization)[0])
    assert (response["use"], response["preAuthRef"]) == ("preauthorization", "PA-5544")
    assert response["preAuthPeriod"] == {"start": dt.date(2024, 2, 1), "end": dt.date(2024, 4, 30)}
    assert [i["productOrService"]["coding"][0]["code"] for i in response["addItem"]] == [
        "70553",
        "70551",
    ]


# Resources as other systems write them

PRACTITIONER_ROLE: dict[str, Any] = {
    "resourceType": "PractitionerRole",
    "id": "role1",
    "extension": [
        {
            "url": EXT_NETWORK,
            "extension": [
                {"url": "payer", "valueIdentifier": {"value": "87726"}},
                {"url": "status", "valueCode": "in_network"},
            ],
        }
    ],
    "practitioner": {"reference": "Practitioner/prac1"},
    "organization": {"reference": "Organization/org1"},
    "specialty": [
        {"coding": [{"system": "http://nucc.org/provider-taxonomy", "code": "207Q00000X"}]}
    ],
}

PREAUTH_REQUEST: dict[str, Any] = {
    "resourceType": "Claim",
    "id": "pa-req",
    "status": "active",
    "type": {"coding": [{"code": "professional"}]},
    "use": "preauthorization",
    "patient": {"reference": "Patient/pat1"},
    "created": "2024-01-20",
    "provider": {"reference": "Practitioner/prac1"},
    "priority": {"coding": [{"code": "normal"}]},
    "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/cov1"}}],
    "item": [
        {"sequence": 1, "productOrService": {"coding": [{"system": ex.CPT, "code": "97110"}]}}
    ],
}

PREAUTH_RESPONSE: dict[str, Any] = {
    "resourceType": "ClaimResponse",
    "id": "pa-resp",
    "status": "active",
    "type": {"coding": [{"code": "professional"}]},
    "use": "preauthorization",
    "patient": {"reference": "Patient/pat1"},
    "created": "2024-01-22",
    "insurer": {"reference": "Organization/payer1"},
    "requestor": {"reference": "Practitioner/prac1"},
    "request": {"reference": "Claim/pa-req"},
    "outcome": "complete",
    "preAuthRef": "AUTH-77",
    "preAuthPeriod": {"start": "2024-02-01", "end": "2024-03-31"},
    "addItem": [
        {
            "productOrService": {"coding": [{"system": ex.CPT, "code": "97110"}]},
            "quantity": {"value": 12},
            "adjudication": [{"category": {"coding": [{"code": "eligible"}]}}],
        }
    ],
}


def test_practitioner_role_resolves_its_practitioner_in_a_bundle() -> None:
    bundle = ex.bundle(ex.DOCTOR, ex.CLINIC, PRACTITIONER_ROLE)
    (provider,) = parse(json.dumps(bundle))
    assert provider == Provider(
        payer_id="87726",
        npi="1245319599",
        entity_type="1",
        name=ex.DOCTOR["name"][0]["family"],
        first_name=ex.DOCTOR["name"][0]["given"][0],
        taxonomy="207Q00000X",
        network_status="in_network",
    )


def test_role_without_network_extension_only_serves_references() -> None:
    role = copy.deepcopy(PRACTITIONER_ROLE)
    del role["extension"]
    assert list(parse(json.dumps(ex.bundle(ex.DOCTOR, role)))) == []
    assert list(parse(json.dumps(ex.PAYER))) == []


def test_preauthorization_pair_in_a_bundle() -> None:
    """The request Claim is read through its response, not refused as a non-billed claim."""
    bundle = ex.bundle(ex.PATIENT, ex.PAYER, ex.DOCTOR, PREAUTH_REQUEST, PREAUTH_RESPONSE)
    records = [r for r in parse(json.dumps(bundle)) if isinstance(r, Authorization)]
    member_id = next(i["value"] for i in ex.PATIENT["identifier"] if i.get("type"))
    assert records == [
        Authorization(
            auth_id="AUTH-77",
            payer_id="87726",
            member_id=member_id,
            provider_npi="1245319599",
            procedure_codes=["97110"],
            start_date=dt.date(2024, 2, 1),
            end_date=dt.date(2024, 3, 31),
            units_approved="12",
            status="approved",
            decided_on=dt.date(2024, 1, 22),
        )
    ]
    # Codes come from the request's items when the response adds none.
    response = copy.deepcopy(PREAUTH_RESPONSE)
    response["addItem"] = []
    response["adjudication"] = [
        {
            "category": {
                "coding": [
                    {"system": f"{NAMESPACE}/CodeSystem/adjudication", "code": "approvedunits"}
                ]
            },
            "value": 4,
        }
    ]
    response["outcome"] = "queued"
    bundle = ex.bundle(ex.PATIENT, ex.PAYER, PREAUTH_REQUEST, response)
    (auth,) = [r for r in parse(json.dumps(bundle)) if isinstance(r, Authorization)]
    assert (auth.procedure_codes, auth.units_approved, auth.status) == (["97110"], 4, "pending")
    # Alone, the request is still not a billed claim.
    with pytest.raises(FhirInputError) as info:
        list(parse(json.dumps(PREAUTH_REQUEST)))
    assert info.value.path == "Claim.use"


def test_plan_from_an_insurance_plan_of_another_system() -> None:
    plan = {
        "resourceType": "InsurancePlan",
        "id": "gold",
        "name": "Gold",
        "type": [{"coding": [{"system": "https://nahdo.org/sopt", "code": "111"}]}],
        "ownedBy": {"reference": "Organization/payer1"},
        "coverage": [
            {
                "type": {"text": "medical"},
                "benefit": [
                    {
                        "type": {"coding": [{"system": ex.CPT, "code": "70553"}]},
                        "requirement": "Prior Authorization required",
                    },
                    {"type": {"text": "dental cleaning"}},
                ],
            }
        ],
    }
    (found,) = parse(json.dumps(ex.bundle(ex.PAYER, plan)))
    assert found == Plan(
        plan_id="gold",
        payer_id="87726",
        name="Gold",
        product_line="medicare_advantage",
        auth_required_codes=["70553"],
    )


# Refused input, with its position


def _problems(resource: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(p.path, p.cause) for p in validate(json.dumps(resource))]


def test_payer_problems_are_placed() -> None:
    data = to_resource_json(_full(Payer)[0])
    data["extension"] = [e for e in data["extension"] if e["url"] != EXT_APPEAL_WINDOW_DAYS]
    data["extension"][0] = {"url": EXT_TIMELY_FILING_DAYS, "valueString": "soon"}
    del data["name"]
    found = _problems(json.loads(json.dumps(data, default=str)))
    assert ("Organization.extension[0]", f"{EXT_TIMELY_FILING_DAYS} has no integer value") in found
    assert ("Organization.name", "no payer name") in found
    assert any(p == "Organization.extension" and "appeal_window_days" in c for p, c in found)
    data = json.loads(json.dumps(to_resource_json(_full(Payer)[0]), default=str))
    data["extension"][0]["valuePositiveInt"] = 9999
    ((path, cause),) = _problems(data)
    assert path == f"Organization.extension({EXT_TIMELY_FILING_DAYS})" and "3650" in cause


def test_plan_problems_are_placed(tmp_path: Path) -> None:
    data = json.loads(json.dumps(to_resource_json(_full(Plan)[0]), default=str))
    benefits = data["coverage"][0]["benefit"]
    limit = next(i for i, b in enumerate(benefits) if "limit" in b)
    del benefits[limit]["extension"]
    del data["ownedBy"]
    path = tmp_path / "plans.ndjson"
    path.write_text(
        json.dumps(to_resource_json(_minimal_plan()), default=str) + "\n" + json.dumps(data) + "\n"
    )
    problems = validate(path)
    assert {(p.line, p.resource_type, p.resource_id) for p in problems} == {
        (2, "InsurancePlan", "PLAN-GOLD")
    }
    assert {p.path for p in problems} == {
        "InsurancePlan.ownedBy",
        f"InsurancePlan.coverage[0].benefit[{limit}].extension",
    }
    data = json.loads(json.dumps(to_resource_json(_minimal_plan()), default=str))
    data["type"] = [{"text": "gold"}]
    assert _problems(data) == [
        (
            "InsurancePlan.type",
            f"no product line (system {PRODUCT_LINE}, or a payment typology code)",
        )
    ]


def test_provider_problems_are_placed() -> None:
    role = copy.deepcopy(PRACTITIONER_ROLE)
    role["extension"][0]["extension"] = [{"url": "status", "valueCode": "preferred"}]
    found = _problems(ex.bundle(ex.DOCTOR, role))
    assert found[0] == (
        f"PractitionerRole.extension({EXT_NETWORK}).extension(payer)",
        "no payer (valueIdentifier)",
    )
    role["extension"][0]["extension"].append({"url": "payer", "valueIdentifier": {"value": "P1"}})
    ((path, cause),) = _problems(ex.bundle(ex.DOCTOR, role))
    assert path == f"PractitionerRole.extension({EXT_NETWORK}).extension(status)"
    assert "in_network" in cause
    alone = _problems(PRACTITIONER_ROLE)  # the Practitioner is not in the input
    assert ("PractitionerRole.practitioner", f"no NPI (identifier system {ex.NPI})") in alone


def test_authorization_problems_are_placed() -> None:
    response = copy.deepcopy(PREAUTH_RESPONSE)
    del response["preAuthPeriod"]
    response["addItem"][0]["productOrService"] = {
        "coding": [{"system": "http://example.org/oral", "code": "1101"}]
    }
    problems = validate(json.dumps(ex.bundle(ex.PAYER, response)))
    assert {(p.entry, p.resource_type, p.resource_id) for p in problems} == {
        (1, "ClaimResponse", "pa-resp")
    }
    assert [p.path for p in problems] == [
        "ClaimResponse.patient",
        "ClaimResponse.addItem[0].productOrService",
        "ClaimResponse.preAuthPeriod",
    ]
    response = copy.deepcopy(PREAUTH_RESPONSE)
    response["preAuthPeriod"] = {"start": "2024-05-01", "end": "2024-03-31"}
    with pytest.raises(FhirInputError) as info:
        list(parse(json.dumps(ex.bundle(ex.PATIENT, ex.PAYER, response))))
    assert info.value.path == "ClaimResponse.preAuthPeriod"
    assert "end_date (2024-03-31) is before start_date (2024-05-01)" in info.value.cause
    assert str(info.value).startswith("<fhir>, line 1, entry 2, ClaimResponse/pa-resp, ")


def test_cli_parses_and_validates_the_new_kinds(tmp_path: Path) -> None:
    path = tmp_path / "parties.ndjson"
    path.write_text("".join(iter_ndjson(PARTIES)))
    runner = CliRunner()
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    kinds = [json.loads(line)["record"] for line in result.stdout.splitlines()]
    assert kinds == ["payer"] * 2 + ["plan"] * 2 + ["provider"] * 2 + ["authorization"] * 4
    bad = copy.deepcopy(PREAUTH_RESPONSE)
    del bad["preAuthRef"]
    path.write_text(json.dumps(bad) + "\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}, line 1, ClaimResponse/pa-resp, ClaimResponse.preAuthRef" in result.stdout
