"""Prior-authorization kernels against their plans on cases the examples and the synthetic
world leave out: fractional units, a claim-level number, several or no covering
authorizations, a number naming two authorizations, and nulls a payer's feed can carry."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from cleanclaim.rules import Context, default_registry
from cleanclaim.rules.api import Example
from cleanclaim.rules.examples import BILLING_NPI, OTHER_NPI, example_claim, example_context

from .equivalence import kernel_findings

RULES = ["auth.missing", "auth.number_not_on_claim", "auth.not_approved",
         "auth.wrong_service", "auth.expired", "auth.units_exhausted"]
MARCH, APRIL_END = dt.date(2025, 3, 1), dt.date(2025, 4, 30)


def _auth(auth_id: str | None, *, status: str | None = "approved",
          start: dt.date | None = MARCH, end: dt.date | None = APRIL_END,
          approved: str | None = "1", used: str | None = "0",
          codes: list[str] | None = None, member: str = "M1", payer: str = "PAY01",
          npi: str | None = BILLING_NPI) -> dict[str, Any]:
    return {"auth_id": auth_id, "payer_id": payer, "member_id": member, "provider_npi": npi,
            "procedure_codes": ["72148"] if codes is None else codes, "start_date": start,
            "end_date": end,
            "units_approved": None if approved is None else Decimal(approved),
            "units_used": None if used is None else Decimal(used),
            "status": status, "decided_on": None}


def _context(*auths: dict[str, Any]) -> Context:
    """The example context with only ``auths`` on file (none given: its own)."""
    base = example_context()
    if not auths:
        return base
    assert base.authorizations is not None
    frame = pl.DataFrame(list(auths), schema=base.authorizations.schema, orient="row")
    return replace(base, authorizations=frame)


def _mri(auth: str | None = None, units: str = "1", line: int = 1,
         code: str = "72148") -> dict[str, Any]:
    out: dict[str, Any] = {"line_number": line, "procedure_code": code, "charge": "1900",
                           "units": Decimal(units)}
    if auth is not None:
        out["prior_auth_number"] = auth
    return out


def _title(rule_id: str) -> str:
    return default_registry().get(rule_id).title


CASES = [
    pytest.param((_mri("A-1", units="1.5"),), {}, [_auth("A-1", approved="2.5", used="2")],
                 {("auth.units_exhausted", 1,
                   "1.5 unit(s) billed, 0.5 left on authorization A-1")},
                 id="fractional units"),
    pytest.param((_mri(),), {"prior_auth_number": "AUTH-OLD"}, [],
                 {("auth.expired", 1, "authorization AUTH-OLD runs 2025-01-01 to 2025-02-28; "
                                      "service on 2025-03-10")},
                 id="claim-level number"),
    pytest.param((_mri(),), {},
                 [_auth("Z-2"), _auth("A-1", npi=None), _auth("0-OTHER", npi=OTHER_NPI),
                  _auth("0-SHORT", approved="0.5")],
                 {("auth.number_not_on_claim", 1,
                   "authorization A-1 covers 72148 but is not on the claim")},
                 id="lowest covering number"),
    pytest.param((_mri(),), {"rendering_npi": OTHER_NPI}, [_auth("A-1", npi=OTHER_NPI)],
                 {("auth.number_not_on_claim", 1,
                   "authorization A-1 covers 72148 but is not on the claim")},
                 id="covered through the rendering provider"),
    pytest.param((_mri(),), {}, [_auth("A-1", npi=OTHER_NPI), _auth("D-1", status="denied")],
                 {("auth.missing", 1,
                   "72148 needs prior authorization; none found for 2025-03-10")},
                 id="no covering authorization"),
    pytest.param((_mri("NOPE"),), {}, [_auth("A-1")],
                 {("auth.number_not_on_claim", 1,
                   "authorization A-1 covers 72148 but is not on the claim")},
                 id="unknown number, covered anyway"),
    pytest.param((_mri("DUP"),), {},
                 [_auth("DUP", status="denied"), _auth("DUP", codes=["73721"]),
                  _auth("DUP", member="M2"), _auth("DUP", status=None)],
                 {("auth.not_approved", 1, "authorization DUP is denied"),
                  ("auth.wrong_service", 1,
                   "authorization DUP does not cover 72148 for this member")},
                 id="one number, several authorizations"),
    pytest.param((_mri("P-2"),), {}, [_auth("P-2", payer="PAY02")],
                 {("auth.wrong_service", 1,
                   "authorization P-2 does not cover 72148 for this member")},
                 id="another payer's authorization"),
    pytest.param((_mri("A-1"), _mri(units="2", line=2), _mri(line=3, code="99213")), {},
                 [_auth("A-1"), _auth("B-1", approved=None)],
                 {("auth.missing", 2,
                   "72148 needs prior authorization; none found for 2025-03-10")},
                 id="several lines"),
    pytest.param((_mri("N-1"),), {}, [_auth("N-1", start=None)],
                 {("auth.expired", 1, _title("auth.expired"))}, id="authorization without dates"),
    pytest.param((_mri("N-1"),), {}, [_auth("N-1", used=None)], set(),
                 id="authorization without units used"),
    # A message the plan cannot build (a missing date or number) is the rule's title.
    pytest.param((_mri(),), {}, [_auth(None)],
                 {("auth.number_not_on_claim", 1, _title("auth.number_not_on_claim"))},
                 id="covering authorization without a number"),
    pytest.param((_mri(),), {"statement_from": dt.date(2025, 7, 1),
                            "statement_to": dt.date(2025, 7, 1)}, [], set(),
                 id="coverage ended"),
]


@pytest.mark.parametrize(("lines", "header", "auths", "expected"), CASES)
def test_kernels_equal_plans(lines: tuple[dict[str, Any], ...], header: dict[str, Any],
                             auths: list[dict[str, Any]],
                             expected: set[tuple[str, int, str]]) -> None:
    if "statement_from" in header:
        lines = tuple({**ln, "service_from": header["statement_from"]} for ln in lines)
    claim = example_claim(Example("case", True, claim=header, lines=lines, diagnoses=("M5450",)))
    context = _context(*auths)
    found = {(r["rule_id"], r["line"], r["message"])
             for r in kernel_findings(claim, context, RULES)}
    assert found == expected
