"""Shared fixtures of the synthetic-world tests, and an independent checker of the labels.

The checker re-derives, from the world's own tables and typed records only (never from the
generator's internals), every problem a claim has. A label is right when the checker finds the
labelled defect on a defective claim, and finds nothing at all on a clean claim or on a claim
denied at the payer's discretion.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from cleanclaim.domain import (
    Authorization,
    AuthorizationStatus,
    Claim,
    ClaimType,
    Coverage,
    Member,
    Payer,
    Plan,
    ServiceLine,
)
from cleanclaim.domain.schema import records_from_batch
from cleanclaim.synth import World, generate_world, is_valid_npi

_TIMINGS: list[str] = []


def report_timing(text: str) -> None:
    """Record a measured figure to print at the end of the run (reported, not asserted)."""
    _TIMINGS.append(text)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _TIMINGS:
        terminalreporter.section("synthetic world timings")
        for line in _TIMINGS:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def timing() -> Any:
    return report_timing


@pytest.fixture(scope="session")
def small_world() -> World:
    return generate_world(11, 6000)


@pytest.fixture(scope="session")
def mix_world() -> World:
    return generate_world(5, 20_000)


def icd_lookup() -> Any:
    with warnings.catch_warnings():
        # The package reads its data through a deprecated importlib API.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd
    return icd


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass
class Findings:
    """Problems the checker found, per claim id: (defect name, line or None)."""

    by_claim: dict[str, set[tuple[str, int | None]]] = field(
        default_factory=lambda: defaultdict(set)
    )

    def names(self, claim_id: str) -> set[str]:
        return {name for name, _ in self.by_claim.get(claim_id, set())}


class Checker:
    """Derives every problem of every claim from the world's tables."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.payers = {p.payer_id: p for p in _records(world.payers, Payer)}
        self.plans = {p.plan_id: p for p in _records(world.plans, Plan)}
        self.members = {m.member_id: m for m in _records(world.members, Member)}
        self.coverages: dict[tuple[str, str], list[Coverage]] = defaultdict(list)
        self.by_subscriber: dict[str, list[Coverage]] = defaultdict(list)
        self.by_member: dict[str, list[Coverage]] = defaultdict(list)
        for c in _records(world.coverages, Coverage):
            self.coverages[(c.payer_id, c.subscriber_id)].append(c)
            self.by_subscriber[c.subscriber_id].append(c)
            self.by_member[c.member_id].append(c)
        self.auths = {a.auth_id: a for a in _records(world.authorizations, Authorization)}
        self.approved: dict[tuple[str, str], list[Authorization]] = defaultdict(list)
        for a in self.auths.values():
            if a.status is AuthorizationStatus.APPROVED:
                for code in a.procedure_codes:
                    self.approved[(a.member_id, code)].append(a)
        ref = {k: t.to_pylist() for k, t in world.reference.items()}
        self.procs = {r["code"]: r for r in ref["ref_procedures"]}
        self.dx = {r["code"]: r for r in ref["ref_diagnoses"]}
        self.support: dict[str, set[str]] = defaultdict(set)
        for r in ref["ref_dx_support"]:
            self.support[r["procedure_code"]].add(r["diagnosis_code"])
        self.ptp = [(r["column1"], r["column2"], r["modifier"]) for r in ref["ref_ptp_edits"]]
        self.icd = icd_lookup()

    def run(self, claims: list[Claim]) -> Findings:
        found = Findings()
        seen: set[tuple[Any, ...]] = set()
        for claim in sorted(claims, key=lambda c: c.claim_id):
            for item in self.check(claim):
                found.by_claim[claim.claim_id].add(item)
            key = self._signature(claim)
            if key in seen:
                found.by_claim[claim.claim_id].add(("duplicate_claim", None))
            seen.add(key)
        return found

    @staticmethod
    def _signature(c: Claim) -> tuple[Any, ...]:
        lines = tuple((ln.procedure_code, ln.revenue_code, tuple(ln.modifiers), ln.units,
                       ln.charge, ln.service_from) for ln in c.lines)
        return (c.payer_id, c.member_id, c.billing_npi, c.statement_from, lines)

    def check(self, c: Claim) -> Iterator[tuple[str, int | None]]:
        dos = c.service_from
        member, plan = None, None
        covs = self.coverages.get((c.payer_id, c.member_id), [])
        if not covs:
            yield ("wrong_payer" if c.member_id in self.by_subscriber else "unknown_member_id",
                   None)
        else:
            active = [v for v in covs if v.effective_date <= dos
                      and (v.termination_date is None or dos <= v.termination_date)]
            if not active:
                if any(v.termination_date is not None and v.termination_date < dos
                       for v in covs):
                    yield ("coverage_terminated", None)
                else:
                    yield ("coverage_not_started", None)
            else:
                v = active[0]
                member = self.members[v.member_id]
                plan = self.plans[v.plan_id] if v.plan_id else None
                if v.cob_order != 1 and any(
                    o.cob_order == 1 and o.payer_id != v.payer_id and o.effective_date <= dos
                    and (o.termination_date is None or dos <= o.termination_date)
                    for o in self.by_member[v.member_id]
                ):
                    yield ("other_payer_primary", None)
                yield from self._demographics(c, member)
        yield from self._administrative(c)
        yield from self._codes(c, member, plan, dos)
        tf = self.payers[c.payer_id].timely_filing_days
        last = c.statement_to or dos
        if c.submitted_on is not None and (c.submitted_on - last).days > tf:
            yield ("late_filing", None)

    def _demographics(self, c: Claim, m: Member) -> Iterator[tuple[str, int | None]]:
        if (c.patient_last_name != m.last_name or c.patient_first_name != m.first_name
                or (c.patient_birth_date is not None and c.patient_birth_date != m.birth_date)
                or c.patient_sex != m.sex):
            yield ("demographic_mismatch", None)

    def _administrative(self, c: Claim) -> Iterator[tuple[str, int | None]]:
        prof = c.claim_type is ClaimType.PROFESSIONAL
        required: list[Any] = [c.billing_tax_id, c.patient_birth_date, c.diagnoses or None]
        required += [c.place_of_service] if prof else [c.type_of_bill, c.statement_from,
                                                       c.discharge_status]
        if any(v is None for v in required):
            yield ("missing_required_field", None)
        for ln in c.lines:
            if prof and ln.procedure_code is None:
                yield ("missing_required_field", ln.line_number)
            if prof and c.diagnoses and (not ln.diagnosis_pointers or any(
                    p > len(c.diagnoses) for p in ln.diagnosis_pointers)):
                yield ("invalid_diagnosis_pointer", ln.line_number)
        if not is_valid_npi(c.billing_npi) or not is_valid_npi(c.rendering_npi or ""):
            yield ("invalid_npi", None)
        if c.frequency_code.value != "1" or (c.type_of_bill is not None
                                              and c.type_of_bill[-1] != c.frequency_code.value):
            yield ("frequency_code_misuse", None)

    def _codes(self, c: Claim, m: Member | None, plan: Plan | None,
               dos: dt.date) -> Iterator[tuple[str, int | None]]:
        for d in c.diagnoses:
            if d.code not in self.dx:
                valid = self.icd.is_valid_item(d.code)
                yield ("non_billable_icd" if valid and not self.icd.is_leaf(d.code)
                       else "invalid_icd", None)
        age = _age(m.birth_date, dos) if m is not None else None
        for ln in c.lines:
            if ln.procedure_code is not None:
                yield from self._line(c, ln, age)
                if plan is not None:
                    yield from self._plan(c, m, plan, ln.line_number, ln.procedure_code,
                                          ln.units, dos)
        codes = {ln.procedure_code for ln in c.lines}
        for col1, col2, mod in self.ptp:
            if col1 in codes and col2 in codes:
                for ln in c.lines:
                    if ln.procedure_code == col2 and mod not in ln.modifiers:
                        yield ("ncci_unbundled", ln.line_number)
        for limit in plan.limits if plan is not None else []:
            used = sum(ln.units for ln in c.lines if ln.procedure_code in limit.procedure_codes)
            if used > limit.max_units:
                yield ("benefit_limit_exceeded", None)

    def _line(self, c: Claim, ln: ServiceLine,
              age: int | None) -> Iterator[tuple[str, int | None]]:
        code = ln.procedure_code or ""
        info = self.procs.get(code)
        if info is None:
            yield ("deleted_procedure", ln.line_number)
            return
        if ln.units > info["max_units"]:
            yield ("units_above_mue", ln.line_number)
        if age is not None and not info["min_age"] <= age <= info["max_age"]:
            yield ("age_conflict", ln.line_number)
        if info["sex"] and c.patient_sex is not None and c.patient_sex.value != info["sex"]:
            yield ("sex_conflict", ln.line_number)
        yield from self._support(c, ln.line_number, code, ln.diagnosis_pointers)

    def _support(self, c: Claim, number: int, code: str,
                 pointers: list[int]) -> Iterator[tuple[str, int | None]]:
        if c.claim_type is not ClaimType.PROFESSIONAL or code not in self.support:
            return
        pointed = {c.diagnoses[p - 1].code for p in pointers if p <= len(c.diagnoses)}
        if pointed and not pointed & self.support[code]:
            yield ("dx_not_supporting", number)

    def _plan(self, c: Claim, m: Member | None, plan: Plan, number: int, code: str,
              units: Any, dos: dt.date) -> Iterator[tuple[str, int | None]]:
        if code in plan.excluded_codes:
            yield ("excluded_service", number)
        if code not in plan.auth_required_codes or m is None:
            return
        auth = self.auths.get(c.prior_auth_number or "")
        if auth is None:
            covering = [a for a in self.approved[(m.member_id, code)]
                        if a.start_date <= dos <= a.end_date]
            assert not covering, f"{c.claim_id}: an approved authorization covers it"
            yield ("missing_prior_auth", number)
        elif auth.status is not AuthorizationStatus.APPROVED:
            yield ("auth_denied", number)
        elif code not in auth.procedure_codes:
            yield ("auth_wrong_code", number)
        elif not auth.start_date <= dos <= auth.end_date:
            yield ("expired_auth", number)
        elif auth.units_approved - auth.units_used < units:
            yield ("auth_units_exhausted", number)
        elif auth.member_id != m.member_id or auth.payer_id != c.payer_id:
            yield ("auth_mismatch", number)


def _records(batch: Any, model: type[Any]) -> list[Any]:
    records = records_from_batch(batch)
    assert all(isinstance(r, model) for r in records)
    return records


@pytest.fixture(scope="session")
def small_claims(small_world: World) -> list[Claim]:
    return [c for c in records_from_batch(small_world.claims) if isinstance(c, Claim)]


@pytest.fixture(scope="session")
def findings(small_world: World, small_claims: list[Claim]) -> Findings:
    return Checker(small_world).run(small_claims)
