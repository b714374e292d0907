"""835 health care claim payment/advice (005010X221A1) into canonical claim payments.

Each CLP loop becomes one :class:`~cleanclaim.domain.ClaimPayment` with its claim-level CAS
adjustments (up to six reason/amount/quantity triplets per CAS), MOA/MIA remark codes, and its
SVC service lines with their own CAS adjustments, LQ*HE remark codes and DTM*472 date.

Mapping choices worth knowing:

- ``payer_id`` is REF*2U of the payer loop (1000A), else N104 when N103 is XV, else TRN03;
  ``payer_tax_id`` is TRN03 without its leading "1" when TRN03 is "1" + nine digits and is not
  the payer id itself; ``payer_name`` and the payer's address are N102 and N3/N4 of 1000A
  (N302 appended to N301 after ", "). ``payee_npi`` is N104 of the payee loop (1000B, N1*PE)
  when N103 is XX, ``payee_name`` its N102. The patient's name is the 2100 NM1*QC, and
  ``member_id`` its NM109 unless NM108 says it is a social security number (34).
- ``payment_id`` is ``{TRN02}-{n}``, n being the 1-based ordinal of the CLP in its transaction
  set (the ST02 control number stands in for a missing TRN02): deterministic and unique per
  CLP occurrence in a payment.
- A line's ``line_number`` is its REF*6R line item control number when every line of the claim
  has a distinct numeric one (the 837 writer of this package echoes LX there), else the
  1-based SVC order.
- ``SVC01`` qualifier NU carries a revenue code instead of a procedure; SVC04 is the revenue
  code of an institutional line that also has a procedure.

:func:`balance_problems` checks that charge minus adjustments equals the paid amount, per claim
and per line; validation reports its findings as problems, parsing never fails on them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from pydantic import ValidationError

from ...domain import ClaimPayment
from .errors import ProblemKind, X12Problem, problem_kind
from .handling import RecordHandler
from .reader import SegmentHandler, parse_date

__all__ = ["Remittance835Handler", "balance_problems"]

_Row = dict[str, Any]
_BPR_HANDLING: Final = ("C", "D", "H", "I", "P", "U", "X")
_CAS_LAST: Final = 19  # CAS02..CAS19: six reason / amount / quantity triplets
_MIA_REMARKS: Final = (5, 20, 21, 22, 23)
_CLAIM_ORIGIN: Final[dict[str, tuple[str, int | None]]] = {
    "claim_id": ("CLP", 1),
    "status": ("CLP", 2),
    "total_charge": ("CLP", 3),
    "paid": ("CLP", 4),
    "patient_responsibility": ("CLP", 5),
    "filing_indicator": ("CLP", 6),
    "payer_claim_control_number": ("CLP", 7),
    "payer_id": ("TRN", 3),
    "payer_tax_id": ("TRN", 3),
    "payer_name": ("N1*PR", 2),
    "payer_address_line": ("N3*PR", 1),
    "payer_city": ("N4*PR", 1),
    "payer_state": ("N4*PR", 2),
    "payer_postal_code": ("N4*PR", 3),
    "payee_npi": ("N1*PE", 4),
    "payee_name": ("N1*PE", 2),
    "patient_last_name": ("NM1*QC", 3),
    "patient_first_name": ("NM1*QC", 4),
    "member_id": ("NM1*QC", 9),
    "trace_number": ("TRN", 2),
    "payment_date": ("BPR", 16),
}
_LINE_ORIGIN: Final[dict[str, int]] = {
    "procedure_code": 1,
    "modifiers": 1,
    "revenue_code": 4,
    "charge": 2,
    "paid": 3,
    "units_paid": 5,
}


def _pad(el: list[str], size: int) -> list[str]:
    return el if len(el) >= size else el + [""] * (size - len(el))


def _money(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def balance_problems(payment: ClaimPayment) -> list[tuple[int | None, str]]:
    """Where ``payment`` does not balance: ``(line number or None, cause)`` pairs.

    A claim balances when its charge minus every claim and line adjustment is the paid amount;
    a line when its charge minus its adjustments is its paid amount.
    """
    found: list[tuple[int | None, str]] = []
    adjusted = sum((a.amount for a in payment.adjustments), Decimal(0))
    adjusted += sum((a.amount for line in payment.lines for a in line.adjustments), Decimal(0))
    if payment.total_charge - adjusted != payment.paid:
        found.append(
            (
                None,
                f"claim does not balance: charge {payment.total_charge} - "
                f"adjustments {adjusted} != paid {payment.paid}",
            )
        )
    for line in payment.lines:
        line_adjusted = sum((a.amount for a in line.adjustments), Decimal(0))
        if line.charge - line_adjusted != line.paid:
            found.append(
                (
                    line.line_number,
                    f"line {line.line_number} does not balance: "
                    f"charge {line.charge} - adjustments "
                    f"{line_adjusted} != paid {line.paid}",
                )
            )
    return found


class Remittance835Handler(RecordHandler):
    """Turns the body of one 835 transaction set into :class:`ClaimPayment` records."""

    def __init__(self, *, check_balance: bool = False) -> None:
        self.check_balance = check_balance
        super().__init__()
        self.table: dict[str, SegmentHandler] = {
            "BPR": self._bpr,
            "TRN": self._trn,
            "N1": self._n1,
            "N3": self._n3,
            "N4": self._n4,
            "NM1": self._nm1,
            "REF": self._ref,
            "LX": self._lx,
            "CLP": self._clp,
            "CAS": self._cas,
            "MOA": self._moa,
            "MIA": self._mia,
            "SVC": self._svc,
            "DTM": self._dtm,
            "LQ": self._lq,
            "PLB": self._plb,
        }
        self.reset()

    def end(self, pos: int) -> None:
        self.flush()
        self._check_payment_total(pos)
        self.reset()

    def abandon(self) -> None:
        if self.claim is not None:
            self.broken = True

    def reset(self) -> None:
        self.component = self.delimiters.component
        self.origins: dict[str, int] = {}
        self.payment_date: dt.date | None = None
        self.bpr_amount = ""
        self.trace = ""
        self.trn_payer = ""
        self.n1_payer = ""
        self.ref_payer = ""
        self.payee_npi: str | None = None
        self.header: _Row = {}  # names and the payer's address, for every claim of the set
        self.loop = ""
        self.ordinal = 0
        self.paid_total = Decimal(0)
        self.plb_total = Decimal(0)
        self.claim: _Row | None = None
        self.lines: list[_Row] = []
        self.line_origins: list[int] = []
        self.line: _Row | None = None
        self.broken = False

    def _bpr(self, pos: int, el: list[str]) -> None:
        el = _pad(el, 17)
        self.origins["BPR"] = pos
        self.bpr_amount = el[2]
        if self.collecting and el[1] not in _BPR_HANDLING:
            self.report(
                X12Problem(
                    self.source,
                    pos,
                    "BPR",
                    1,
                    "transaction handling code is not C, D, H, I, P, U or X",
                    ProblemKind.CODE,
                    value=el[1],
                    fatal=False,
                )
            )
        if el[16]:
            self.payment_date = parse_date(el[16], self.source, pos, "BPR", 16)

    def _trn(self, pos: int, el: list[str]) -> None:
        el = _pad(el, 4)
        self.origins["TRN"] = pos
        self.trace = el[2]
        self.trn_payer = el[3]

    def _n1(self, pos: int, el: list[str]) -> None:
        self.flush()
        el = _pad(el, 5)
        self.loop = el[1]
        if el[1] == "PR":
            self.header["payer_name"] = el[2] or None
            self.origins["N1*PR"] = pos
            if el[3] == "XV" and el[4]:
                self.n1_payer = el[4]
        elif el[1] == "PE":
            self.header["payee_name"] = el[2] or None
            self.origins["N1*PE"] = pos
            if el[3] == "XX" and el[4]:
                self.payee_npi = el[4]

    def _n3(self, pos: int, el: list[str]) -> None:
        if self.claim is None and self.loop == "PR":
            self.header["payer_address_line"] = ", ".join(p for p in el[1:3] if p) or None
            self.origins["N3*PR"] = pos

    def _n4(self, pos: int, el: list[str]) -> None:
        if self.claim is None and self.loop == "PR":
            el = _pad(el, 4)
            self.header["payer_city"] = el[1] or None
            self.header["payer_state"] = el[2] or None
            self.header["payer_postal_code"] = el[3] or None
            self.origins["N4*PR"] = pos

    def _nm1(self, pos: int, el: list[str]) -> None:
        claim = self.claim
        if claim is None or self.line is not None or len(el) < 2 or el[1] != "QC":
            return
        el = _pad(el, 10)
        claim["patient_last_name"] = el[3] or None
        claim["patient_first_name"] = el[4] or None
        claim["member_id"] = None if el[8] == "34" else (el[9] or None)
        self.origins["NM1*QC"] = pos

    def _ref(self, pos: int, el: list[str]) -> None:
        if len(el) < 3:
            return
        if self.claim is None:
            if self.loop == "PR" and el[1] == "2U":
                self.ref_payer = el[2]
                self.origins["REF*2U"] = pos
        elif self.line is not None and el[1] == "6R":
            self.line["_control"] = el[2]

    # -- claims -------------------------------------------------------------------------------

    def _lx(self, pos: int, el: list[str]) -> None:
        self.flush()
        self.loop = "LX"

    def _clp(self, pos: int, el: list[str]) -> None:
        self.flush()
        el = _pad(el, 8)
        self.ordinal += 1
        self.origins["CLP"] = pos
        self.loop = "CLP"
        self.lines = []
        self.line_origins = []
        self.claim = {
            "claim_id": el[1],
            "status": el[2],
            "total_charge": el[3],
            "paid": el[4],
            "patient_responsibility": el[5] or None,
            "filing_indicator": el[6] or None,
            "payer_claim_control_number": el[7] or None,
            "rarcs": [],
            "adjustments": [],
        }

    def _cas(self, pos: int, el: list[str]) -> None:
        target = self.line if self.line is not None else self.claim
        if target is None:
            raise self.error("CAS outside a claim", pos, "CAS", None, kind=ProblemKind.STRUCTURE)
        el = _pad(el, _CAS_LAST + 1)
        adjustments = target.setdefault("adjustments", [])
        for index in range(2, _CAS_LAST, 3):
            reason = el[index]
            if not reason:
                continue
            adjustment: _Row = {"group_code": el[1], "carc": reason, "amount": el[index + 1]}
            if el[index + 2]:
                adjustment["quantity"] = el[index + 2]
            adjustments.append(adjustment)

    def _moa(self, pos: int, el: list[str]) -> None:
        if self.claim is not None:
            self.claim["rarcs"].extend(code for code in el[3:8] if code)

    def _mia(self, pos: int, el: list[str]) -> None:
        if self.claim is not None:
            self.claim["rarcs"].extend(el[i] for i in _MIA_REMARKS if i < len(el) and el[i])

    def _svc(self, pos: int, el: list[str]) -> None:
        if self.claim is None:
            raise self.error("SVC outside a claim", pos, "SVC", None, kind=ProblemKind.STRUCTURE)
        el = _pad(el, 6)
        parts = el[1].split(self.component)
        parts += [""] * (2 - len(parts))
        line: _Row = {"charge": el[2], "paid": el[3]}
        if parts[0] == "NU":
            line["revenue_code"] = parts[1] or None
        else:
            line["procedure_code"] = parts[1] or None
            modifiers = [m for m in parts[2:6] if m]
            if modifiers:
                line["modifiers"] = modifiers
            if el[4]:
                line["revenue_code"] = el[4]
        if el[5]:
            line["units_paid"] = el[5]
        self.line = line
        self.lines.append(line)
        self.line_origins.append(pos)

    def _dtm(self, pos: int, el: list[str]) -> None:
        line = self.line
        if line is None or len(el) < 3:
            return
        if el[1] == "472" or (el[1] == "150" and "service_date" not in line):
            line["service_date"] = parse_date(el[2], self.source, pos, "DTM", 2)

    def _lq(self, pos: int, el: list[str]) -> None:
        if self.line is not None and len(el) > 2 and el[1] == "HE" and el[2]:
            self.line.setdefault("rarcs", []).append(el[2])

    def _plb(self, pos: int, el: list[str]) -> None:
        self.flush()
        for index in range(4, len(el), 2):
            if el[index]:
                self.plb_total += Decimal(el[index])

    # -- building the record ------------------------------------------------------------------

    def _line_numbers(self) -> None:
        controls = [line.pop("_control", "") for line in self.lines]
        numeric = all(c.isdigit() and 1 <= int(c) <= 999 for c in controls)
        if numeric and len({int(c) for c in controls}) == len(controls):
            for line, control in zip(self.lines, controls, strict=True):
                line["line_number"] = int(control)
        else:
            for number, line in enumerate(self.lines, 1):
                line["line_number"] = number

    def flush(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self.claim = None
        self.line = None
        if self.broken:
            self.broken = False
            return
        self._line_numbers()
        trace = self.trace or (self.txn.set_control if self.txn else "")
        payer_id = self.ref_payer or self.n1_payer or self.trn_payer
        originator = self.trn_payer
        ein = originator[1:] if len(originator) == 10 and originator[0] == "1" else ""
        record = {
            **self.header,
            **claim,
            "payment_id": f"{trace}-{self.ordinal}",
            "payer_id": payer_id,
            "payer_tax_id": ein
            if ein.isascii() and ein.isdigit() and originator != payer_id
            else None,
            "payee_npi": self.payee_npi,
            "payment_date": self.payment_date,
            "trace_number": self.trace or None,
            "lines": self.lines,
        }
        try:
            built = ClaimPayment.model_validate(record)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                self.report(
                    self._locate_field(
                        error["loc"], error["msg"], error.get("input"), error["type"]
                    )
                )
            return
        self.paid_total += built.paid
        if self.check_balance:
            self._report_balance(built)
        self.out.append(built)

    def _report_balance(self, payment: ClaimPayment) -> None:
        clp = self.origins.get("CLP")
        by_number = {
            line["line_number"]: pos
            for line, pos in zip(self.lines, self.line_origins, strict=True)
        }
        for line_number, cause in balance_problems(payment):
            pos, seg, element = (
                (clp, "CLP", 4)
                if line_number is None
                else (by_number.get(line_number, clp), "SVC", 3)
            )
            self.report(
                X12Problem(
                    self.source, pos, seg, element, cause, ProblemKind.BALANCING, fatal=False
                )
            )

    def _check_payment_total(self, pos: int) -> None:
        if not self.check_balance or not self.bpr_amount:
            return
        try:
            total = Decimal(self.bpr_amount)
        except InvalidOperation:
            self.report(
                X12Problem(
                    self.source,
                    self.origins.get("BPR"),
                    "BPR",
                    2,
                    "total payment is not a number",
                    ProblemKind.VALUE,
                    value=self.bpr_amount,
                )
            )
            return
        if total != self.paid_total - self.plb_total:
            self.report(
                X12Problem(
                    self.source,
                    self.origins.get("BPR"),
                    "BPR",
                    2,
                    f"payment does not balance: BPR02 {total} != claims paid {self.paid_total} - "
                    f"provider adjustments {self.plb_total}",
                    ProblemKind.BALANCING,
                    fatal=False,
                )
            )

    def _locate_field(
        self, loc: tuple[int | str, ...], message: str, value: Any, error_type: str
    ) -> X12Problem:
        key, element = _CLAIM_ORIGIN.get(str(loc[0]) if loc else "", ("CLP", None))
        seg = key.split("*")[0]
        pos = self.origins.get(key, self.origins.get("CLP"))
        if loc and loc[0] in ("adjustments", "rarcs"):
            seg, element = ("CAS" if loc[0] == "adjustments" else "MOA"), None
        if loc and loc[0] == "lines" and len(loc) > 2 and isinstance(loc[1], int):
            pos, seg = self.line_origins[loc[1]], "SVC"
            element = _LINE_ORIGIN.get(str(loc[2]))
        field = ".".join(str(part) for part in loc) or "claim"
        kind = problem_kind(error_type, value)
        shown = None if value is None or isinstance(value, dict | list) else str(value)
        return X12Problem(self.source, pos, seg, element, f"{field}: {message}", kind, value=shown)

