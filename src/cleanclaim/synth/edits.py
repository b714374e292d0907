"""The edits of the simulated payer: what each one answers and at which stage it fires.

An edit is a reason the payer refuses money: at the front end (``reject``: a 277CA rejection,
the claim never reaches adjudication), on the whole claim (``claim``: CLP status 4, every line
adjusted with the edit's group code and CARC) or on one service line (``line``). Edit names are
those of the world's defects where one matches, so a claim's answer can be set beside its label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from cleanclaim.domain import DenialCategory, GroupCode

__all__ = ["EDITS", "Edit", "edits_frame"]

Stage = Literal["reject", "claim", "line"]


@dataclass(frozen=True, slots=True)
class Edit:
    """One reason for refusing: stage, category, CARC, RARC, group code, 277CA codes."""

    name: str
    stage: Stage
    category: DenialCategory
    carc: str
    rarc: str | None = None
    group: GroupCode = GroupCode.CONTRACTUAL
    ack_category: str | None = None
    ack_status: str | None = None
    ack_entity: str | None = None


_E, _D = DenialCategory, GroupCode
_MI = _E.MISSING_INFORMATION

EDITS: tuple[Edit, ...] = (
    # Front end: 277CA A3 (returned as unprocessable) or A7 (rejected for invalid information).
    Edit("missing_required_field", "reject", _MI, "16", "MA130", ack_category="A3",
         ack_status="21"),
    Edit("invalid_diagnosis_pointer", "reject", _MI, "16", "M76", ack_category="A7",
         ack_status="21"),
    Edit("invalid_npi", "reject", _MI, "16", None, ack_category="A7", ack_status="562",
         ack_entity="85"),
    Edit("invalid_rendering_npi", "reject", _MI, "16", "N290", ack_category="A7",
         ack_status="562", ack_entity="82"),
    Edit("frequency_code_misuse", "reject", _MI, "16", None, ack_category="A7",
         ack_status="21"),
    Edit("unknown_original_claim", "reject", _MI, "16", None, ack_category="A7",
         ack_status="21"),
    Edit("unknown_payer", "reject", _MI, "16", None, ack_category="A3", ack_status="21",
         ack_entity="PR"),
    Edit("member_id_format", "reject", _E.ELIGIBILITY, "31", None, ack_category="A7",
         ack_status="33", ack_entity="IL"),
    # Whole claim, in the order the payer applies them.
    Edit("unknown_member_id", "claim", _E.ELIGIBILITY, "31"),
    Edit("wrong_payer", "claim", _E.ELIGIBILITY, "109"),
    Edit("coverage_terminated", "claim", _E.ELIGIBILITY, "27"),
    Edit("coverage_not_started", "claim", _E.ELIGIBILITY, "26"),
    Edit("other_payer_primary", "claim", _E.COB, "22", "MA04", group=_D.OTHER),
    Edit("patient_name_mismatch", "claim", _E.ELIGIBILITY, "140"),
    Edit("demographic_mismatch", "claim", _E.ELIGIBILITY, "31"),
    Edit("duplicate_claim", "claim", _E.DUPLICATE, "18", group=_D.OTHER),
    Edit("late_filing", "claim", _E.TIMELY_FILING, "29"),
    Edit("diagnosis_not_billable", "claim", _E.CODING, "146", "M76"),
    # The payer's hidden judgement (see payer.py): nothing on the claim shows it.
    Edit("payer_discretion", "claim", _E.OTHER, "252", group=_D.PAYER_INITIATED),
    Edit("medical_necessity_review", "claim", _E.MEDICAL_NECESSITY, "50"),
    Edit("policy_change", "claim", _E.COVERAGE, "96", "N130"),
    # One service line.
    Edit("deleted_procedure", "line", _E.CODING, "181", "M51"),
    Edit("units_above_mue", "line", _E.CODING, "151"),
    Edit("age_conflict", "line", _E.CODING, "6"),
    Edit("sex_conflict", "line", _E.CODING, "7"),
    Edit("excluded_service", "line", _E.COVERAGE, "96", "N130",
         group=_D.PATIENT_RESPONSIBILITY),
    Edit("missing_prior_auth", "line", _E.AUTHORIZATION, "197"),
    Edit("auth_denied", "line", _E.AUTHORIZATION, "39"),
    Edit("auth_wrong_code", "line", _E.AUTHORIZATION, "15"),
    Edit("expired_auth", "line", _E.AUTHORIZATION, "15"),
    Edit("auth_mismatch", "line", _E.AUTHORIZATION, "15"),
    Edit("auth_units_exhausted", "line", _E.AUTHORIZATION, "198"),
    Edit("ncci_unbundled", "line", _E.BUNDLING, "97"),
    Edit("dx_not_supporting", "line", _E.MEDICAL_NECESSITY, "50"),
    Edit("benefit_limit_exceeded", "line", _E.COVERAGE, "119"),
)
"""Every edit, front end first, then claim edits and line edits in the order applied."""

BY_NAME = {e.name: e for e in EDITS}


def edits_frame() -> pl.DataFrame:
    """The edits as a frame keyed by ``reason`` (joined onto the results)."""
    return pl.DataFrame(
        {
            "reason": [e.name for e in EDITS],
            "stage": [e.stage for e in EDITS],
            "category": [e.category.value for e in EDITS],
            "carc": [e.carc for e in EDITS],
            "rarc": [e.rarc for e in EDITS],
            "group_code": [e.group.value for e in EDITS],
            "ack_category": [e.ack_category for e in EDITS],
            "ack_status": [e.ack_status for e in EDITS],
            "ack_entity": [e.ack_entity for e in EDITS],
        },
        schema={"reason": pl.String, "stage": pl.String, "category": pl.String,
                "carc": pl.String, "rarc": pl.String, "group_code": pl.String,
                "ack_category": pl.String, "ack_status": pl.String, "ack_entity": pl.String},
    )
