"""Appeals of denied claims: the overturn policy, the decision, and paying an overturned claim."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cleanclaim.domain import ClaimPayment, DenialCategory, ProductLine

from .remittance import _payment
from .state import SimulatorState


@dataclass(frozen=True)
class AppealPolicy:
    """Seeded overturn rates of first-level appeals, by denial category.

    Calibrated to DOMAIN.md: 54-70% of pursued denials are eventually paid (the default table
    averages about 0.58 over the default world's denials), about 82% of appealed Medicare Advantage
    prior-authorization denials are overturned. Duplicates and late filing rarely win. An
    appeal filed after the payer's appeal window is upheld whatever its merits.
    """

    rates: Mapping[str, float] = field(default_factory=lambda: {
        DenialCategory.ELIGIBILITY.value: 0.6,
        DenialCategory.COB.value: 0.6,
        DenialCategory.MISSING_INFORMATION.value: 0.65,
        DenialCategory.AUTHORIZATION.value: 0.65,
        DenialCategory.CODING.value: 0.62,
        DenialCategory.BUNDLING.value: 0.62,
        DenialCategory.MEDICAL_NECESSITY.value: 0.65,
        DenialCategory.COVERAGE.value: 0.6,
        DenialCategory.DUPLICATE.value: 0.25,
        DenialCategory.TIMELY_FILING.value: 0.2,
        DenialCategory.OTHER.value: 0.7,
    })
    default: float = 0.6
    medicare_advantage_prior_auth: float = 0.82

    def rate(self, category: str, product_line: str | None) -> float:
        """The overturn probability of a denial of ``category`` under ``product_line``."""
        if (category == DenialCategory.AUTHORIZATION.value
                and product_line == ProductLine.MEDICARE_ADVANTAGE.value):
            return self.medicare_advantage_prior_auth
        return float(self.rates.get(category, self.default))


@dataclass(frozen=True)
class AppealDecision:
    """The payer's answer to an appeal; when overturned, the reversal and the new payment."""

    claim_id: str
    payer_claim_control_number: str
    category: str
    overturned: bool
    probability: float
    reason: str
    payments: list[ClaimPayment] = field(default_factory=list)


def _stable_uniform(*parts: object) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class AppealsMixin(SimulatorState):
    """Reverses and repays a claim whose denial was overturned on appeal."""

    def _overturn(self, row: dict[str, Any], on: dt.date) -> list[ClaimPayment]:
        """Reverse the original payment (when it was processed) and pay every line."""
        lines = self._lines_by_payment.get(str(row["payment_id"]), [])
        self._dead.add(str(row["pcn"]))
        out: list[ClaimPayment] = []
        if row["status"] == "1":
            self._traces += 1
            trace = f"{on:%Y%m%d}{self._traces:07d}"
            rev = {**row, "payment_id": f"{trace}-1", "status": "22", "sign": -1,
                   "trace": trace, "payment_date": on}
            out.append(_payment(rev, [{**ln, "payment_id": rev["payment_id"]} for ln in lines]))
        self._traces += 1
        self._counter += 1
        trace = f"{on:%Y%m%d}{self._traces:07d}"
        new_id = f"{trace}-1"
        new_lines = [{**ln, "payment_id": new_id, "reason": None, "group_code": None,
                      "carc": None, "rarc": None} for ln in lines]
        new = {**row, "payment_id": new_id, "pcn": f"{row['payer_id']}{self._counter:010d}",
               "status": "1", "trace": trace, "payment_date": on, "sign": 1,
               "paid_cents": sum(int(ln["paid_c"]) for ln in new_lines),
               "pr_cents": sum(int(ln["pr1_c"]) + int(ln["pr2_c"]) + int(ln["pr3_c"])
                               for ln in new_lines),
               "denied_any": False, "denied_all": False, "claim_reason": None,
               "primary": None, "reason_line": None, "rarcs": []}
        self._extra_claims.append(new)
        self._extra_lines.extend(new_lines)
        self._by_pcn[new["pcn"]] = new
        self._lines_by_payment[new_id] = new_lines
        self._latest[str(row["claim_id"])] = new["pcn"]
        out.append(_payment(new, new_lines))
        return out
