"""Where an 837 claim's values came from: the segment and element of each canonical field.

A claim read from an 837 keeps the ordinals of the segments its values came from (cheaply, as
:data:`OriginParts`); a problem with a field (a model validation error, a value the batch
validation refuses) is then placed at that segment and element by :class:`ClaimOrigins`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .errors import ProblemKind, X12Problem

__all__ = ["ORIGINS_KEY", "ClaimOrigins", "OriginParts"]

ORIGINS_KEY: Final = "__origins"
"""Key of a batch row holding its :class:`ClaimOrigins` (not a field: the batch skips it)."""

# Where each canonical field comes from, to place a model validation error: the key under
# which the handler notes the segment ordinal, and the element.
_CLAIM_ORIGIN: Final[dict[str, tuple[str, int | None]]] = {
    "claim_id": ("CLM", 1),
    "total_charge": ("CLM", 2),
    "place_of_service": ("CLM", 5),
    "type_of_bill": ("CLM", 5),
    "frequency_code": ("CLM", 5),
    "original_claim_ref": ("REF*F8", 2),
    "payer_id": ("NM1*PR", 9),
    "payer_name": ("NM1*PR", 3),
    "filing_indicator": ("SBR", 9),
    "member_id": ("NM1*IL", 9),
    "subscriber_first_name": ("NM1*IL", 4),
    "subscriber_last_name": ("NM1*IL", 3),
    "patient_first_name": ("NM1*patient", 4),
    "patient_last_name": ("NM1*patient", 3),
    "patient_birth_date": ("DMG", 2),
    "patient_sex": ("DMG", 3),
    "patient_relationship": ("SBR", 2),
    "billing_npi": ("NM1*85", 9),
    "billing_name": ("NM1*85", 3),
    "billing_tax_id": ("REF*EI", 2),
    "billing_taxonomy": ("PRV*BI", 3),
    "billing_address_line": ("N3*85", 1),
    "billing_city": ("N4*85", 1),
    "billing_state": ("N4*85", 2),
    "billing_postal_code": ("N4*85", 3),
    "patient_address_line": ("N3*patient", 1),
    "patient_city": ("N4*patient", 1),
    "patient_state": ("N4*patient", 2),
    "patient_postal_code": ("N4*patient", 3),
    "rendering_npi": ("NM1*82", 9),
    "rendering_name": ("NM1*82", 3),
    "rendering_first_name": ("NM1*82", 4),
    "referring_npi": ("NM1*DN", 9),
    "referring_name": ("NM1*DN", 3),
    "referring_first_name": ("NM1*DN", 4),
    "facility_npi": ("NM1*77", 9),
    "facility_name": ("NM1*77", 3),
    "facility_address_line": ("N3*77", 1),
    "facility_city": ("N4*77", 1),
    "facility_state": ("N4*77", 2),
    "facility_postal_code": ("N4*77", 3),
    "statement_from": ("DTP*434", 3),
    "statement_to": ("DTP*434", 3),
    "admission_date": ("DTP*435", 3),
    "discharge_status": ("CL1", 3),
    "prior_auth_number": ("REF*G1", 2),
    "referral_number": ("REF*9F", 2),
    "submitted_on": ("BHT", 4),
    "lines": ("CLM", None),
    "diagnoses": ("HI", None),
}
_LINE_ORIGIN: Final[dict[str, tuple[str, int | None]]] = {
    "line_number": ("LX", 1),
    "procedure_code": ("SV", 1),
    "modifiers": ("SV", 1),
    "revenue_code": ("SV", 1),
    "charge": ("SV", 2),
    "units": ("SV", 4),
    "place_of_service": ("SV", 5),
    "diagnosis_pointers": ("SV", 7),
    "service_from": ("DTP*472", 3),
    "service_to": ("DTP*472", 3),
    "rendering_npi": ("NM1*82", 9),
    "rendering_name": ("NM1*82", 3),
    "rendering_first_name": ("NM1*82", 4),
    "ndc": ("LIN", 3),
    "prior_auth_number": ("REF*G1", 2),
}
_INSTITUTIONAL_LINE_ELEMENT: Final[dict[str, int]] = {
    "charge": 3,
    "units": 5,
    "procedure_code": 2,
    "modifiers": 2,
}


OriginParts = tuple[
    str, bool, dict[str, int], dict[str, int], list[dict[str, int]], list[tuple[int, int]]
]
"""A batch row's note of where its values came from (cheap to keep; see ClaimOrigins.of)."""


@dataclass(frozen=True, slots=True)
class ClaimOrigins:
    """The segment ordinals one claim's values came from, to place a problem with a field
    (built only then, from a row's :data:`OriginParts`).

    ``fields`` maps the keys of :data:`_CLAIM_ORIGIN` to segment ordinals, ``lines`` holds one
    such map per line in file order (keys of :data:`_LINE_ORIGIN`), ``diagnoses`` the
    (segment ordinal, element) of each diagnosis.
    """

    source: str
    institutional: bool
    fields: dict[str, int]
    claim: dict[str, int]
    lines: list[dict[str, int]]
    diagnoses: list[tuple[int, int]]

    @classmethod
    def of(cls, parts: OriginParts) -> ClaimOrigins:
        source, institutional, header, claim, lines, diagnoses = parts
        fields = {**header, **claim}
        fields["NM1*patient"] = fields.get("NM1*QC", fields.get("NM1*IL", 0))
        return cls(source, institutional, fields, claim, lines, diagnoses)

    def locate(
        self, loc: tuple[int | str, ...], message: str, value: Any, kind: ProblemKind
    ) -> X12Problem:
        """The problem ``message`` with the value at ``loc`` (a pydantic-style location: a
        claim field, ``("lines", index, field)`` or ``("diagnoses", index, field)``), placed
        at the segment and element that value came from."""
        origins = self.fields
        key, element = _CLAIM_ORIGIN.get(str(loc[0]) if loc else "", ("CLM", None))
        seg = key.split("*")[0]
        pos = origins.get(key)
        field = ".".join(str(part) for part in loc) or "claim"
        if loc and loc[0] == "lines" and len(loc) > 1 and isinstance(loc[1], int):
            line_origins = self.lines[loc[1]]
            key, element = _LINE_ORIGIN.get(str(loc[2]) if len(loc) > 2 else "", ("LX", None))
            if key == "SV":
                seg = "SV2" if self.institutional else "SV1"
                if self.institutional:
                    element = _INSTITUTIONAL_LINE_ELEMENT.get(str(loc[2]), element)
            else:
                seg = key.split("*")[0]
            pos = line_origins.get(key, line_origins["LX"])
        elif loc and loc[0] == "diagnoses" and len(loc) > 1 and isinstance(loc[1], int):
            pos, element = self.diagnoses[loc[1]]
        if pos is None:
            pos = self.claim.get("CLM")
            message = f"{key} {element or ''} missing or invalid: {message}".replace("  ", " ")
        shown = None if value is None or isinstance(value, dict | list) else str(value)
        return X12Problem(self.source, pos, seg, element, f"{field}: {message}", kind, value=shown)
