"""837 health care claims, professional (005010X222A1) and institutional (005010X223A2/A3).

Reads the body of an 837 transaction set into canonical :class:`~cleanclaim.domain.Claim`
records. The HL hierarchy is followed (billing provider 20 -> subscriber 22 -> optional patient
23); a claim (2300 CLM) takes the billing provider, subscriber, payer and patient in force when
it starts, so repeated claims under one subscriber and repeated subscribers under one billing
provider all work. Segments of the other-payer loops (2320/2330, after a claim-level SBR) are
skipped so they cannot overwrite the primary payer's data.

Mapping choices worth knowing:

- ``type_of_bill`` (837I) is ``'0'`` + CLM05-1 (facility type code, 2 characters) + CLM05-3
  (frequency code), the 4-character UB-04 form 4 (e.g. ``0111``); ``place_of_service`` is
  CLM05-1 on 837P and None on 837I.
- Patient name, birth date and sex come from the patient loop (2010CA) when there is one, else
  from the subscriber (2010BA); ``patient_relationship`` is PAT01, else SBR02, else ``18``.
  ``subscriber_first_name``/``subscriber_last_name`` (NM1*IL) are set only when there is a
  patient loop, i.e. when the patient is someone else; otherwise the name is the patient's.
- ``payer_name`` is NM1*PR 03, ``filing_indicator`` SBR09 of the subscriber loop (2000B),
  ``billing_name`` NM1*85 03.
- ``rendering_npi`` is NM1*82 (2310B in 837P, 2310D in 837I), ``referring_npi`` NM1*DN,
  ``facility_npi`` NM1*77, with their names (NM103/NM104) in ``rendering_name`` /
  ``rendering_first_name``, ``referring_name`` / ``referring_first_name`` and ``facility_name``;
  a line's NM1*82 (2420A/2420C) fills the line's ``rendering_*`` fields. An 837I line without
  DTP*472 takes the statement start date.
- Addresses: N3/N4 of the billing provider (2010AA) are ``billing_address_line``,
  ``billing_city``, ``billing_state``, ``billing_postal_code``; of the service facility (NM1*77)
  ``facility_*``; the patient's ``patient_*`` come from the patient loop (2010CA) when there is
  one, else from the subscriber (2010BA). N302 (a second address line) is appended to N301
  after ", ". Other addresses (pay-to, payer, other payers, ambulance, line-level) are skipped.
- Legacy qualifiers BK/BF/BJ/PR/BN read as ABK/ABF/ABJ/APR/ABN; other HI qualifiers (value,
  occurrence, condition codes, procedures, DRG) are not diagnoses and are skipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from pydantic import ValidationError

from ...domain import Claim, ClaimType, Diagnosis
from ...domain.schema import table_specs
from .errors import ProblemKind, X12Problem, problem_kind
from .handling import RecordHandler
from .reader import SegmentHandler, parse_date, parse_period
from .x837_origins import ORIGINS_KEY, ClaimOrigins, OriginParts

__all__ = ["DIAGNOSIS_QUALIFIERS", "Claim837Handler", "DiagnosisTuple"]

DIAGNOSIS_QUALIFIERS: Final[dict[str, str]] = {
    "ABK": "ABK",
    "ABF": "ABF",
    "ABJ": "ABJ",
    "APR": "APR",
    "ABN": "ABN",
    "BK": "ABK",
    "BF": "ABF",
    "BJ": "ABJ",
    "PR": "APR",
    "BN": "ABN",
}
"""HI code list qualifiers read as diagnoses, and the ICD-10-CM qualifier each stands for."""


_Row = dict[str, Any]
_BHT_TYPES: Final = ("CH", "RP", "31")
_NPI_ENTITIES: Final = ("85", "82", "77", "DN")
# Claim-level provider loops (2310x) read into the claim: entity -> prefix of its fields.
_CLAIM_PROVIDERS: Final[dict[str, str]] = {"82": "rendering", "DN": "referring", "77": "facility"}
# Key under which the position of an address is noted, by field prefix (see x837_origins).
_ORIGIN_TAG: Final[dict[str, str]] = {"billing": "85", "patient": "patient", "facility": "77"}
_HL_PARENT: Final[dict[str, str | None]] = {"20": None, "22": "20", "23": "22"}


DiagnosisTuple = tuple[int, str, str, str | None]
"""A diagnosis as the batch path keeps it: sequence, code, qualifier, present on admission."""

_DIAGNOSES: dict[DiagnosisTuple, Diagnosis] = {}
_DIAGNOSES_MAX: Final = 100_000


def _diagnosis(sequence: int, code: str, qualifier: str, poa: str | None) -> Diagnosis | _Row:
    """The Diagnosis record for these values, shared between claims.

    Records are frozen, so one instance can sit in many claims; the same few thousand codes
    recur in every file, and reusing their validated records saves most of a claim's
    validation time. Values that do not validate stay a mapping, for the claim's validation
    to report with their position.
    """
    key = (sequence, code, qualifier, poa)
    found = _DIAGNOSES.get(key)
    if found is not None:
        return found
    row: _Row = {"sequence": sequence, "code": code, "qualifier": qualifier}
    if poa is not None:
        row["present_on_admission"] = poa
    try:
        made = Diagnosis.model_validate(row)
    except ValidationError:
        return row
    if len(_DIAGNOSES) >= _DIAGNOSES_MAX:
        _DIAGNOSES.clear()
    _DIAGNOSES[key] = made
    return made


def _pad(el: list[str], size: int) -> list[str]:
    return el if len(el) >= size else el + [""] * (size - len(el))


class Claim837Handler(RecordHandler):
    """Turns the body of one 837P or 837I transaction set into :class:`Claim` records."""

    def __init__(self, claim_type: ClaimType, *, rows: list[dict[str, Any]] | None = None) -> None:
        self.claim_type = claim_type
        # Given rows, claims are kept there unvalidated for a batch to validate at once.
        self.rows = rows
        # Batch rows carry every field (None when not given), so that the batch lays them
        # out as tuples without looking each one up.
        self.claim_blank: _Row = {}
        self.line_blank: _Row = {}
        if rows is not None:
            claims, _, lines = table_specs(Claim)
            self.claim_blank = dict.fromkeys(f.name for f in claims.fields)
            self.line_blank = dict.fromkeys(f.name for f in lines.fields)
        self.institutional = claim_type is ClaimType.INSTITUTIONAL
        super().__init__()
        self.table: dict[str, SegmentHandler] = {
            "BHT": self._bht,
            "HL": self._hl,
            "PRV": self._prv,
            "NM1": self._nm1,
            "N3": self._n3,
            "N4": self._n4,
            "REF": self._ref,
            "SBR": self._sbr,
            "PAT": self._pat,
            "DMG": self._dmg,
            "CLM": self._clm,
            "DTP": self._dtp,
            "CL1": self._cl1,
            "HI": self._hi,
            "LX": self._lx,
            "SV1": self._sv1,
            "SV2": self._sv2,
            "LIN": self._lin,
        }
        self.reset()

    # -- Handler protocol ---------------------------------------------------------------------

    def abandon(self) -> None:
        if self.claim is not None:
            self.broken = True

    # -- state --------------------------------------------------------------------------------

    def reset(self) -> None:
        self.component = self.delimiters.component
        self.hl_levels: dict[str, str | None] = {"": None}
        self.submitted_on: dt.date | None = None
        self.origins: dict[str, int] = {}
        self.billing: _Row = {}
        self._reset_subscriber()
        self.claim: _Row | None = None
        self.claim_entity = ""
        self.broken = False

    def _reset_subscriber(self) -> None:
        self.subscriber: _Row = {}
        self.patient: _Row | None = None
        self.loop = ""
        self.in_other_payer = False

    def _new_claim_state(self) -> None:
        self.claim_origins: dict[str, int] = {}
        self.diagnoses: list[Diagnosis | _Row | DiagnosisTuple] = []
        self.diagnosis_origins: list[tuple[int, int]] = []
        self.lines: list[_Row] = []
        self.line_origins: list[dict[str, int]] = []
        self.line: _Row | None = None
        self.claim_entity = ""  # entity of the claim's last NM1 (2310x), for its N3/N4

    # -- header and hierarchy -----------------------------------------------------------------

    def _bht(self, pos: int, el: list[str]) -> None:
        self.origins["BHT"] = pos
        el = _pad(el, 7)
        if el[4]:
            self.submitted_on = parse_date(el[4], self.source, pos, "BHT", 4)
        if self.collecting and el[6] not in _BHT_TYPES:
            self.advise(pos, "BHT", 6, "transaction type code is not CH, RP or 31", el[6])

    def _hl(self, pos: int, el: list[str]) -> None:
        self.flush()
        level = el[3] if len(el) > 3 else ""
        if level == "20":
            self.billing = {}
            self._reset_subscriber()
            self.loop = "billing"
        elif level == "22":
            self._reset_subscriber()
            self.loop = "subscriber"
        elif level == "23":
            self.patient = {}
            self.loop = "patient"
            self.in_other_payer = False
        else:
            raise self.error(
                "hierarchical level code is not 20, 22 or 23", pos, "HL", 3, level, ProblemKind.CODE
            )
        if self.collecting:
            self._check_hierarchy(pos, _pad(el, 4))

    def _check_hierarchy(self, pos: int, el: list[str]) -> None:
        """HL01 counts up from 1; HL02 names an earlier HL one level up (validation only)."""
        levels = self.hl_levels
        expected = str(len(levels))  # levels also holds the empty parent of level 20
        if el[1] != expected:
            self.report(
                X12Problem(
                    self.source,
                    pos,
                    "HL",
                    1,
                    f"HL01 should be {expected}",
                    ProblemKind.STRUCTURE,
                    value=el[1],
                    fatal=False,
                )
            )
        parent_level = _HL_PARENT[el[3]]
        if levels.get(el[2]) != parent_level:
            wanted = "empty" if parent_level is None else f"an HL of level {parent_level}"
            self.report(
                X12Problem(
                    self.source,
                    pos,
                    "HL",
                    2,
                    f"parent should be {wanted}",
                    ProblemKind.STRUCTURE,
                    value=el[2],
                    fatal=False,
                )
            )
        levels[el[1]] = el[3]

    def _prv(self, pos: int, el: list[str]) -> None:
        if self.claim is None and self.loop == "billing" and len(el) > 3 and el[1] == "BI":
            self.billing["billing_taxonomy"] = el[3]
            self.origins["PRV*BI"] = pos

    def _sbr(self, pos: int, el: list[str]) -> None:
        if self.claim is not None:
            # A claim-level SBR opens the other-payer loops (2320/2330).
            self.in_other_payer = True
            return
        self.subscriber["relationship"] = el[2] if len(el) > 2 else ""
        self.subscriber["filing_indicator"] = (el[9] if len(el) > 9 else "") or None
        self.origins["SBR"] = pos

    def _pat(self, pos: int, el: list[str]) -> None:
        if self.patient is not None and len(el) > 1:
            self.patient["relationship"] = el[1]
            self.origins["SBR"] = pos

    def _dmg(self, pos: int, el: list[str]) -> None:
        if self.claim is not None:
            return
        el = _pad(el, 4)
        target = self.patient if self.loop == "patient" else self.subscriber
        if self.loop not in ("patient", "subscriber") or target is None:
            return
        if el[2]:
            if el[1] != "D8":
                raise self.error(
                    "date format qualifier is not D8", pos, "DMG", 1, el[1], ProblemKind.CODE
                )
            target["patient_birth_date"] = parse_date(el[2], self.source, pos, "DMG", 2)
        if el[3]:
            target["patient_sex"] = el[3]
        self.origins["DMG"] = pos

    def _nm1(self, pos: int, el: list[str]) -> None:
        entity = el[1] if len(el) > 1 else ""
        if self.collecting and entity in _NPI_ENTITIES and len(el) > 9 and el[8] != "XX":
            self.advise(pos, "NM1", 8, "an NPI is identified by qualifier XX", el[8])
        if self.claim is None:
            self._nm1_header(pos, entity, _pad(el, 10))
        elif not self.in_other_payer:
            self._nm1_claim(pos, entity, _pad(el, 10))

    def _nm1_header(self, pos: int, entity: str, el: list[str]) -> None:
        if entity == "85":
            self.billing["billing_npi"] = el[9]
            self.billing["billing_name"] = el[3] or None
            self.origins["NM1*85"] = pos
            self.loop = "billing"
        elif entity == "IL" and self.loop == "subscriber":
            self.subscriber["member_id"] = el[9]
            self.subscriber["patient_last_name"] = el[3] or None
            self.subscriber["patient_first_name"] = el[4] or None
            self.origins["NM1*IL"] = pos
        elif entity == "PR" and self.loop in ("subscriber", "payer"):
            self.subscriber["payer_id"] = el[9]
            self.subscriber["payer_name"] = el[3] or None
            self.origins["NM1*PR"] = pos
            self.loop = "payer"
        elif entity == "QC" and self.patient is not None:
            self.patient["patient_last_name"] = el[3] or None
            self.patient["patient_first_name"] = el[4] or None
            self.origins["NM1*QC"] = pos
            self.loop = "patient"
        elif entity in ("87", "41", "40", "PE", "QD"):
            self.loop = "other"

    def _nm1_claim(self, pos: int, entity: str, el: list[str]) -> None:
        line = self.line
        if line is None:
            self.claim_entity = entity
        prefix = _CLAIM_PROVIDERS.get(entity)
        if prefix is None:
            return
        if line is not None:
            if entity == "82":
                line["rendering_npi"] = el[9] or None
                line["rendering_name"] = el[3] or None
                line["rendering_first_name"] = el[4] or None
                self.line_origins[-1]["NM1*82"] = pos
            return
        claim = self.claim
        assert claim is not None
        claim[prefix + "_npi"] = el[9] or None
        claim[prefix + "_name"] = el[3] or None
        if entity != "77":
            claim[prefix + "_first_name"] = el[4] or None
        self.claim_origins["NM1*" + entity] = pos

    # -- addresses ----------------------------------------------------------------------------

    def _address_target(self) -> tuple[_Row, str, dict[str, int]] | None:
        """Where an N3/N4 here goes: (row, field prefix, origins), None when it is not kept."""
        if self.claim is None:
            if self.loop == "billing":
                return self.billing, "billing", self.origins
            if self.loop == "subscriber":
                return self.subscriber, "patient", self.origins
            if self.loop == "patient" and self.patient is not None:
                return self.patient, "patient", self.origins
            return None
        if self.line is None and not self.in_other_payer and self.claim_entity == "77":
            return self.claim, "facility", self.claim_origins
        return None

    def _n3(self, pos: int, el: list[str]) -> None:
        target = self._address_target()
        if target is None:
            return
        row, prefix, origins = target
        lines = [part for part in el[1:3] if part]
        row[prefix + "_address_line"] = ", ".join(lines) or None
        origins["N3*" + _ORIGIN_TAG[prefix]] = pos

    def _n4(self, pos: int, el: list[str]) -> None:
        target = self._address_target()
        if target is None:
            return
        row, prefix, origins = target
        el = _pad(el, 4)
        row[prefix + "_city"] = el[1] or None
        row[prefix + "_state"] = el[2] or None
        row[prefix + "_postal_code"] = el[3] or None
        origins["N4*" + _ORIGIN_TAG[prefix]] = pos

    def _ref(self, pos: int, el: list[str]) -> None:
        if len(el) < 3:
            return
        qualifier, value = el[1], el[2]
        claim = self.claim
        if claim is None:
            if self.loop == "billing" and qualifier in ("EI", "SY"):
                self.billing["billing_tax_id"] = value
                self.origins["REF*EI"] = pos
            return
        if self.in_other_payer:
            return
        line = self.line
        if line is not None:
            if qualifier == "G1":
                line["prior_auth_number"] = value
                self.line_origins[-1]["REF*G1"] = pos
            return
        field = {
            "G1": "prior_auth_number",
            "9F": "referral_number",
            "F8": "original_claim_ref",
        }.get(qualifier)
        if field is not None:
            claim[field] = value
            self.claim_origins["REF*" + qualifier] = pos

    # -- claim --------------------------------------------------------------------------------

    def _clm(self, pos: int, el: list[str]) -> None:
        self.flush()
        if not self.billing or not self.subscriber:
            raise self.error(
                "CLM before its billing provider and subscriber loops",
                pos,
                "CLM",
                None,
                kind=ProblemKind.STRUCTURE,
            )
        el = _pad(el, 6)
        self._new_claim_state()
        self.claim_origins["CLM"] = pos
        self.in_other_payer = False
        self.loop = "claim"
        facility = el[5].split(self.component)
        facility += [""] * (3 - len(facility))
        if self.collecting and facility[1] != ("A" if self.institutional else "B"):
            self.advise(
                pos,
                "CLM",
                5,
                "facility code qualifier (CLM05-2) is not " + ("A" if self.institutional else "B"),
                facility[1],
            )
        claim: _Row = {"claim_id": el[1], "total_charge": el[2]}
        if facility[2]:
            claim["frequency_code"] = facility[2]
        if self.institutional:
            claim["type_of_bill"] = "0" + facility[0] + facility[2] if facility[0] else None
        else:
            claim["place_of_service"] = facility[0] or None
        self.claim = claim

    def _dtp(self, pos: int, el: list[str]) -> None:
        claim = self.claim
        if claim is None or self.in_other_payer:
            return
        el = _pad(el, 4)
        qualifier = el[1]
        if qualifier == "472" and self.line is not None:
            start, end = parse_period(el[2], el[3], self.source, pos, "DTP", 3)
            self.line["service_from"] = start
            self.line["service_to"] = end
            self.line_origins[-1]["DTP*472"] = pos
        elif self.line is not None:
            return
        elif qualifier == "434":
            start, end = parse_period(el[2], el[3], self.source, pos, "DTP", 3)
            claim["statement_from"] = start
            claim["statement_to"] = end if end is not None else start
            self.claim_origins["DTP*434"] = pos
        elif qualifier == "435":
            claim["admission_date"] = parse_period(el[2], el[3], self.source, pos, "DTP", 3)[0]
            self.claim_origins["DTP*435"] = pos

    def _cl1(self, pos: int, el: list[str]) -> None:
        if self.claim is not None and len(el) > 3:
            self.claim["discharge_status"] = el[3] or None
            self.claim_origins["CL1"] = pos

    def _hi(self, pos: int, el: list[str]) -> None:
        if self.claim is None or self.line is not None or self.in_other_payer:
            return
        comp = self.component
        diagnoses = self.diagnoses
        batch = self.rows is not None
        for index in range(1, len(el)):
            if not el[index]:
                continue
            parts = el[index].split(comp)
            qualifier = DIAGNOSIS_QUALIFIERS.get(parts[0])
            if qualifier is None:
                continue
            code = parts[1] if len(parts) > 1 else ""
            poa = parts[8] if len(parts) > 8 and parts[8] else None
            if batch:
                # A batch validates the rows at once: a plain tuple costs nothing to build.
                diagnoses.append((len(diagnoses) + 1, code, qualifier, poa))
            else:
                diagnoses.append(_diagnosis(len(diagnoses) + 1, code, qualifier, poa))
            self.diagnosis_origins.append((pos, index))

    # -- lines --------------------------------------------------------------------------------

    def _lx(self, pos: int, el: list[str]) -> None:
        if self.claim is None:
            raise self.error("LX outside a claim", pos, "LX", None, kind=ProblemKind.STRUCTURE)
        self.in_other_payer = False
        number = el[1] if len(el) > 1 else ""
        if not number.isdigit():
            raise self.error("line number is not a positive integer", pos, "LX", 1, number)
        self.line = {**self.line_blank, "line_number": int(number)}
        self.lines.append(self.line)
        self.line_origins.append({"LX": pos})

    def _line_for(self, pos: int, seg: str) -> _Row:
        line = self.line
        if line is None or line.get("charge") is not None:
            raise self.error(f"{seg} without its LX", pos, seg, None, kind=ProblemKind.STRUCTURE)
        self.line_origins[-1]["SV"] = pos
        return line

    def _procedure(self, line: _Row, composite: str) -> None:
        parts = composite.split(self.component)
        if len(parts) > 1 and parts[1]:
            line["procedure_code"] = parts[1]
        if len(parts) > 2:
            modifiers = [m for m in parts[2:6] if m]
            if modifiers:
                line["modifiers"] = modifiers

    def _sv1(self, pos: int, el: list[str]) -> None:
        line = self._line_for(pos, "SV1")
        if len(el) < 8:
            el = _pad(el, 8)
        if el[1]:
            self._procedure(line, el[1])
        line["charge"] = el[2]
        line["units"] = el[4]
        if self.collecting and el[3] not in ("UN", "MJ"):
            self.advise(pos, "SV1", 3, "unit basis is not UN or MJ", el[3])
        if el[5]:
            line["place_of_service"] = el[5]
        pointers = el[7]
        if pointers:
            # Digits and component separators only (int() alone would take ' 1' or '1_0').
            if not (pointers.replace(self.component, "").isdigit() and pointers.isascii()):
                raise self.error("diagnosis pointers are not numbers", pos, "SV1", 7, pointers)
            line["diagnosis_pointers"] = list(map(int, pointers.split(self.component)))

    def _sv2(self, pos: int, el: list[str]) -> None:
        line = self._line_for(pos, "SV2")
        el = _pad(el, 6)
        line["revenue_code"] = el[1] or None
        if el[2]:
            self._procedure(line, el[2])
        line["charge"] = el[3]
        line["units"] = el[5]
        if self.collecting and el[4] not in ("UN", "DA"):
            self.advise(pos, "SV2", 4, "unit basis is not UN or DA", el[4])

    def _lin(self, pos: int, el: list[str]) -> None:
        if self.line is not None and len(el) > 3 and el[2] == "N4":
            self.line["ndc"] = el[3]
            self.line_origins[-1]["LIN"] = pos

    # -- building the record ------------------------------------------------------------------

    def flush(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self.claim = None
        self.line = None
        if self.broken:
            self.broken = False
            return
        subscriber = self.subscriber
        patient = self.patient if self.patient is not None else subscriber
        relationship = patient.get("relationship") or subscriber.get("relationship") or "18"
        # The subscriber's own name is kept apart only when the patient is someone else.
        named = self.patient is not None
        statement_from = claim.get("statement_from")
        if self.institutional and statement_from is not None:
            for line in self.lines:
                if line.get("service_from") is None:
                    line["service_from"] = statement_from
        record = {
            **self.claim_blank,
            **self.billing,
            "claim_type": self.claim_type,
            "payer_id": subscriber.get("payer_id", ""),
            "payer_name": subscriber.get("payer_name"),
            "filing_indicator": subscriber.get("filing_indicator"),
            "member_id": subscriber.get("member_id", ""),
            "subscriber_first_name": subscriber.get("patient_first_name") if named else None,
            "subscriber_last_name": subscriber.get("patient_last_name") if named else None,
            "patient_first_name": patient.get("patient_first_name"),
            "patient_last_name": patient.get("patient_last_name"),
            "patient_birth_date": patient.get("patient_birth_date"),
            "patient_sex": patient.get("patient_sex") or None,
            "patient_relationship": relationship,
            "patient_address_line": patient.get("patient_address_line"),
            "patient_city": patient.get("patient_city"),
            "patient_state": patient.get("patient_state"),
            "patient_postal_code": patient.get("patient_postal_code"),
            "submitted_on": self.submitted_on,
            **claim,
            "diagnoses": self.diagnoses,
            "lines": self.lines,
        }
        if self.rows is not None:
            # Kept aside for the batch to place a refused value: one small dict copy a claim.
            record[ORIGINS_KEY] = self.origin_parts()
            self.rows.append(record)
            return
        try:
            built = Claim.model_validate(record)
        except ValidationError as exc:
            self._report_invalid(exc)
            return
        self.out.append(built)

    def _report_invalid(self, exc: ValidationError) -> None:
        for error in exc.errors(include_url=False):
            self.report(
                self._locate_field(error["loc"], error["msg"], error.get("input"), error["type"])
            )

    def _locate_field(
        self, loc: tuple[int | str, ...], message: str, value: Any, error_type: str
    ) -> X12Problem:
        return ClaimOrigins.of(self.origin_parts()).locate(
            loc, message, value, problem_kind(error_type, value)
        )

    def origin_parts(self) -> OriginParts:
        """What :meth:`ClaimOrigins.of` needs for the claim being flushed: the header's
        ordinals copied (they change with the next subscriber), the claim's as they are."""
        return (
            self.source,
            self.institutional,
            self.origins.copy(),
            self.claim_origins,
            self.line_origins,
            self.diagnosis_origins,
        )
