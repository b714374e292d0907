"""One claim in real time: the rules' one-claim kernels and what they read.

A batch is scrubbed by the rules' Polars plans; one claim by the same rules' one-claim kernels,
declared beside each plan (:func:`~cleanclaim.rules.registry.single`). A Polars plan costs
about a millisecond to build and run however few its rows, and the suite has dozens, so one
claim through the plans takes tens of milliseconds; the kernels read the same context through
indexes and binary searches and take microseconds each. A kernel must find exactly what its
plan finds on a batch of that one claim: the tests scrub every rule example and a synthetic
world claim by claim both ways and compare every finding.

:class:`OneClaim` is the one-claim counterpart of
:class:`~cleanclaim.rules.context.ScrubContext`: the claim as plain Python rows (the claim
header with ``dos`` and ``dos_last``, its lines with the header fields the plans join on, its
diagnoses), the party rows it can reach (the same rows a small batch reaches), the eligibility
it resolves to and the reference rows of its codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cached_property
from typing import Any

import polars as pl

from ..domain import Claim
from ..domain.schema import table_specs
from .context import Context
from .reference import Reference

__all__ = ["Hit", "OneClaim", "Row", "Single", "applies_on", "formatted", "greatest",
           "grouped", "least", "polars_text", "sequence"]

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding of a kernel: where (``line``, None for the claim) and why.

    ``carc``/``rarc`` override the rule's declared codes when not None, as the optional
    columns of a plan's findings do; ``repair`` is a suggested ``field=value`` change.
    """

    line: int | None
    message: str | None
    fix: str | None
    carc: str | None = None
    rarc: str | None = None
    repair: str | None = None


Single = Callable[["OneClaim"], Iterable[Hit]]
"""A one-claim kernel: the claim in, its findings out (same as the rule's plan on it)."""


def polars_text(value: Any) -> str | None:
    """``value`` written as Polars writes it in ``pl.format`` or a cast to text: dates in ISO
    form, decimals with their column's scale, floats with a decimal point, booleans in lower
    case; None stays None (a message built from a null is null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:.1f}"
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def formatted(template: str, *values: Any) -> str | None:
    """``template`` (``{}`` placeholders) filled as ``pl.format`` fills it: None when any
    value is None."""
    texts = [polars_text(v) for v in values]
    return None if None in texts else template.format(*texts)


def _specs() -> dict[str, dict[str, int | None]]:
    """Per table of the claim layout, the decimal scale of each column (None: not decimal)."""
    out: dict[str, dict[str, int | None]] = {}
    for spec in table_specs(Claim):
        out[spec.name] = {}
        for column in spec.columns:
            kind = column.polars_type()
            out[spec.name][column.name] = kind.scale if isinstance(kind, pl.Decimal) else None
    return out


_SCALES = _specs()


def _plain(value: Any, scale: int | None) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v, None) for v in value]
    if scale is not None and value is not None:
        return Decimal(value).quantize(Decimal(1).scaleb(-scale))
    return value


def _row(table: str, record: Any, inherited: Row) -> Row:
    row = dict(inherited)
    for name, scale in _SCALES[table].items():
        if name not in row:
            row[name] = _plain(getattr(record, name, None), scale)
    return row


_HEADER = ("claim_type", "payer_id", "member_id", "billing_npi", "patient_sex",
           "patient_birth_date", "frequency_code")
"""Header fields each line carries (as in ``ScrubContext.claim_lines``)."""


def greatest(values: Iterable[Any]) -> Any:
    """The largest non-null value, None when there is none (Polars' ``max``)."""
    present = [v for v in values if v is not None]
    return max(present) if present else None


def least(values: Iterable[Any]) -> Any:
    """The smallest non-null value, None when there is none (Polars' ``min``)."""
    present = [v for v in values if v is not None]
    return min(present) if present else None


class OneClaim:
    """One claim seen through a :class:`Context`, as plain rows (see the module)."""

    def __init__(self, claim: Claim, context: Context) -> None:
        self.context = context
        self.reference: Reference = context.reference
        key = {"claim_id": claim.claim_id}
        header = _row("claims", claim, {})
        lines = [_row("claim_lines", ln, key) for ln in claim.lines]
        self.diagnoses: list[Row] = [
            _row("claim_diagnoses", dx, key)
            for dx in claim.diagnoses]
        header["dos"] = least(ln["service_from"] for ln in lines)
        header["dos_last"] = greatest([greatest(ln["service_to"] for ln in lines),
                                   greatest(ln["service_from"] for ln in lines)])
        self.claim: Row = header
        self.claim_id: str = claim.claim_id
        for ln in lines:
            ln.update({name: header[name] for name in _HEADER})
            ln["dos"] = header["dos"]
            ln["claim_pos"] = header["place_of_service"]
            ln["claim_auth"] = header["prior_auth_number"]
            ln["claim_rendering_npi"] = header["rendering_npi"]
            ln["provider_npi"] = next(
                (v for v in (ln["rendering_npi"], header["rendering_npi"], header["billing_npi"])
                 if v is not None), None)
        self.lines: list[Row] = lines
        self._shared: dict[str, Any] = {}

    @property
    def as_of(self) -> dt.date:
        return self.context.as_of or dt.date.today()

    @property
    def institutional(self) -> bool:
        return bool(self.claim["claim_type"] == "institutional")

    def shared(self, name: str, build: Callable[[], Any]) -> Any:
        """An intermediate several kernels use, worked out once per claim."""
        if name not in self._shared:
            self._shared[name] = build()
        return self._shared[name]

    # Party rows: the same rows ScrubContext reaches for a small batch, found through the
    # context's row indexes, in the part's order.

    def _rows(self, name: str, wanted: dict[str, Iterable[Any]]) -> list[Row] | None:
        return self.context.dicts_where(name, {c: [v for v in vs if v is not None]
                                               for c, vs in wanted.items()})

    def rows(self, name: str, column: str, value: Any) -> list[Row]:
        """Rows of context part ``name`` (e.g. payers, plans, plan_limits) whose ``column``
        equals ``value``; none when the part is absent."""
        if value is None:
            return []
        return self._rows(name, {column: [value]}) or []

    @cached_property
    def _member_ids(self) -> list[str]:
        member = self.claim["member_id"]
        return [] if member is None else [member]

    @cached_property
    def _persons(self) -> list[Any]:
        reached = self._rows("coverages", {"subscriber_id": self._member_ids}) or []
        return _unique(r["member_id"] for r in reached)

    @cached_property
    def coverages(self) -> list[Row] | None:
        return self._rows("coverages", {"subscriber_id": self._member_ids,
                                        "member_id": self._persons})

    @cached_property
    def members(self) -> list[Row] | None:
        return self._rows("members", {"member_id": _unique([*self._member_ids,
                                                             *self._persons])})

    @cached_property
    def authorizations(self) -> list[Row] | None:
        referenced = _unique([self.claim["prior_auth_number"],
                              *(ln["prior_auth_number"] for ln in self.lines)])
        return self._rows("authorizations", {"member_id": self._persons,
                                             "auth_id": referenced})

    @cached_property
    def providers(self) -> list[Row] | None:
        return self._rows("providers", {"npi": [self.claim["billing_npi"]]})

    @cached_property
    def history_claims(self) -> list[Row] | None:
        subscribers = _unique([*self._member_ids,
                               *(r["subscriber_id"] for r in self.coverages or ())])
        return self._rows("history_claims", {"member_id": subscribers})

    @cached_property
    def history_lines(self) -> list[Row] | None:
        if self.history_claims is None:
            return None
        return self._rows("history_lines",
                          {"claim_id": _unique(r["claim_id"] for r in self.history_claims)})

    @cached_property
    def eligibility(self) -> Row:
        """The coverage the claim's payer and member ID resolve to on the first DOS: the
        columns of ``ScrubContext.eligibility`` for this claim."""
        payer, member, dos = (self.claim[k] for k in ("payer_id", "member_id", "dos"))
        coverages = self.coverages or []
        mine = [c for c in coverages
                if c["payer_id"] == payer and c["subscriber_id"] == member
                and payer is not None and member is not None]

        def active(c: Row) -> bool:
            start, end = c["effective_date"], c["termination_date"]
            return (start is not None and dos is not None and start <= dos
                    and (end is None or dos <= end))

        # Polars' sort puts nulls first: an in-force coverage first, then the lowest COB
        # order with a missing order before any.
        ranked = sorted(mine, key=lambda c: (not active(c), c["cob_order"] is not None,
                                             c["cob_order"] or 0))
        best = ranked[0] if ranked else {}
        is_active = bool(best) and active(best)
        known = member is not None and (
            any(c["subscriber_id"] == member for c in coverages)
            or any(m["member_id"] == member for m in self.members or ()))
        out: Row = {
            "claim_id": self.claim_id,
            "has_coverage": bool(mine),
            "active": is_active,
            "last_end": None if dos is None else greatest(
                c["termination_date"] for c in mine
                if c["termination_date"] is not None and c["termination_date"] < dos),
            "next_start": None if dos is None else least(
                c["effective_date"] for c in mine
                if c["effective_date"] is not None and c["effective_date"] > dos),
            "known_elsewhere": known,
        }
        for name, source in (("person_id", "member_id"), ("plan_id", "plan_id"),
                             ("cob_order", "cob_order"), ("coverage_id", "coverage_id")):
            out[name] = best.get(source) if is_active else None
        return out

    def reference_rows(self, name: str, key: str, codes: Iterable[Any]) -> list[Row]:
        """Rows of reference table ``name`` whose ``key`` is one of ``codes`` (binary search
        in the table's sorted copy, as a small batch's plans read it)."""
        return self.reference.rows_of(name, key, codes)

    def table(self, name: str) -> str:
        """The reference table serving this claim (``ptp`` -> ``ptp_institutional`` for an
        institutional claim when that table is loaded)."""
        return self.reference.for_claim_type(name, self.institutional)


def _unique(values: Iterable[Any]) -> list[Any]:
    """Distinct non-null values, first seen first."""
    return list(dict.fromkeys(v for v in values if v is not None))


def grouped(rows: Iterable[Row], key: str) -> dict[Any, list[Row]]:
    """``rows`` by the value of ``key``, each list in the rows' order."""
    out: dict[Any, list[Row]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out


def applies_on(row: Row, day: dt.date | None) -> bool:
    """Whether a reference row's ``valid_from``/``valid_before`` window holds ``day`` (the
    one-row counterpart of :func:`cleanclaim.refdata.applies_on`)."""
    start, before = row.get("valid_from"), row.get("valid_before")
    if day is None:
        return start is None and before is None
    return (start is None or start <= day) and (before is None or day < before)


def sequence(values: Sequence[Any] | None) -> list[Any]:
    """A list column's value as a list (a null list reads as empty)."""
    return [] if values is None else list(values)
