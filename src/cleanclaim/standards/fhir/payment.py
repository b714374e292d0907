"""FHIR R4 ``ClaimResponse`` and ``ExplanationOfBenefit`` to and from :class:`ClaimPayment`.

An adjustment (835 CAS) is one adjudication entry whose category is the X12 group code and
whose reason is the CARC, amount and quantity as on the CAS; a remark code (RARC) is an entry
whose reason is in the RARC system. Charges and payments are the ``submitted`` and ``benefit``
categories; ``eligible``, ``deductible`` and ``copay`` are written as well, derived from the
adjustments for readers that expect them, and read back only when a level carries no
group-coded adjustments (then deductible, coinsurance, copay and submitted minus eligible become
PR-1, PR-2, PR-3 and CO-45 adjustments).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

from fhir.resources.R4B.claim import Claim as FhirClaim
from fhir.resources.R4B.claimresponse import ClaimResponse, ClaimResponseItemAdjudication
from fhir.resources.R4B.explanationofbenefit import (
    ExplanationOfBenefit,
    ExplanationOfBenefitItem,
)
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.reference import Reference

from ...domain import Adjustment, ClaimPayment, ClaimStatus, GroupCode, LinePayment
from ._common import (
    ADDRESS_FIELDS,
    Context,
    Origin,
    address_json,
    address_of,
    codes,
    coding,
    concept,
    data_absent,
    ext,
    fhir_id,
    first_code,
    identifier,
    member_identifier,
    money,
    npi_of,
    payer_id_of,
    person_name,
    prune,
    to_date,
    typed_identifier,
)
from .systems import (
    ADJUDICATION,
    ADJUDICATION_EXTRA,
    CARC,
    CLAIM_STATUS,
    CLAIM_TYPE,
    CPT,
    DATA_ABSENT_CODES,
    EXT_CLAIM_STATUS,
    EXT_FILING_INDICATOR,
    EXT_LINE_SERVICE,
    GROUP_CODE,
    HCPCS,
    ID_CLAIM,
    ID_PAYER,
    ID_PAYER_CLAIM_CONTROL,
    ID_PAYMENT,
    NPI,
    NUBC_REVENUE,
    RARC,
    TAX_ID,
    procedure_system,
)

__all__ = [
    "payment_from_fhir",
    "payment_to_claim_response",
    "payment_to_eob",
    "payment_to_fhir_json",
]

_GROUPS: Final = frozenset(g.value for g in GroupCode)
_PAYMENT_ORIGIN: Final = Origin(
    "ClaimResponse",
    {
        "payment_id": "identifier",
        "claim_id": "request",
        "payer_id": "insurer",
        "payer_claim_control_number": "identifier",
        "payee_npi": "requestor",
        "payee_name": "requestor.display",
        "payer_name": "insurer",
        "payer_tax_id": "insurer",
        **{f"payer_{f}": "insurer.address" for f in ADDRESS_FIELDS},
        "patient_first_name": "patient",
        "patient_last_name": "patient",
        "member_id": "patient",
        "status": "extension",
        "total_charge": "total",
        "paid": "payment.amount",
        "patient_responsibility": "total",
        "filing_indicator": "extension",
        "payment_date": "payment.date",
        "trace_number": "payment.identifier",
        "rarcs": "adjudication",
        "adjustments": "adjudication",
    },
    {
        "lines": (
            "item",
            {
                "line_number": "sequence",
                "adjustments": "adjudication",
                "rarcs": "adjudication",
                "charge": "adjudication",
                "paid": "adjudication",
                "units_paid": "adjudication",
                "procedure_code": "productOrService",
                "modifiers": "modifier",
                "revenue_code": "revenue",
                "service_date": "servicedDate",
            },
        )
    },
)
_AdjudicationList = Sequence[ClaimResponseItemAdjudication]


# FHIR -> canonical


def payment_from_fhir(
    resource: ClaimResponse | ExplanationOfBenefit, ctx: Context
) -> ClaimPayment | None:
    """The canonical claim payment of a ClaimResponse or EOB; None when ``ctx`` noted problems."""
    kind = resource.get_resource_type()
    data: dict[str, Any] = {}
    data["payment_id"] = identifier(resource.identifier, ID_PAYMENT) or resource.id
    if data["payment_id"] is None:
        ctx.problem(f"{kind}.identifier", "no payment id (identifier or id)")
    data["payer_claim_control_number"] = identifier(
        resource.identifier, ID_PAYER_CLAIM_CONTROL
    ) or typed_identifier(resource.identifier, "uc")
    claim_ref = resource.request if isinstance(resource, ClaimResponse) else resource.claim
    data["claim_id"] = _claim_id(claim_ref, ctx)
    if data["claim_id"] is None:
        where = "request" if isinstance(resource, ClaimResponse) else "claim"
        ctx.problem(f"{kind}.{where}", "no claim id (identifier or reference of the claim)")
    data["payer_id"] = payer_id_of(resource.insurer, ctx)
    if data["payer_id"] is None:
        ctx.problem(f"{kind}.insurer", "no payer (insurer identifier or reference)")
    payee = resource.requestor if isinstance(resource, ClaimResponse) else resource.provider
    data["payee_npi"] = npi_of(payee, ctx)
    _read_parties(resource, payee, ctx, data)
    filing = ext(resource, EXT_FILING_INDICATOR)
    data["filing_indicator"] = filing.valueCode if filing else None
    totals = {
        c.code: t.amount.value
        for t in resource.total or []
        for c in codes(t.category)
        if t.amount is not None
    }
    payment = resource.payment
    if payment is not None:
        data["payment_date"] = to_date(payment.date)
        data["trace_number"] = identifier(payment.identifier)
    paid = payment.amount.value if payment and payment.amount else totals.get("benefit")
    header = _read_adjudication(resource.adjudication or [], f"{kind}.adjudication", ctx)
    data["adjustments"], data["rarcs"] = header["adjustments"], header["rarcs"]
    data["lines"] = [
        _read_line(item, f"{kind}.item[{i}]", ctx) for i, item in enumerate(resource.item or [])
    ]
    charge = totals.get("submitted")
    if charge is None and data["lines"]:
        charge = sum((line.get("charge") or Decimal(0) for line in data["lines"]), Decimal(0))
    if charge is None:
        ctx.problem(f"{kind}.total", "no submitted total and no items to add up")
    if paid is None:
        ctx.problem(f"{kind}.payment.amount", "no payment amount and no benefit total")
    data["total_charge"], data["paid"] = charge, paid
    data["patient_responsibility"] = totals.get("memberliability")
    data["status"] = _status(resource, paid, charge)
    if ctx.problems:
        return None
    origin = _PAYMENT_ORIGIN
    if kind != "ClaimResponse":
        origin = Origin(kind, origin.fields, origin.children)
    found: ClaimPayment | None = ctx.canonical(ClaimPayment.model_validate, data, origin)
    return found


def _read_parties(
    resource: ClaimResponse | ExplanationOfBenefit,
    payee: Reference | None,
    ctx: Context,
    data: dict[str, Any],
) -> None:
    """Names, tax id and address of the payer, the payee's name, and the patient."""
    insurer = ctx.resolve(resource.insurer, Organization)
    data["payer_name"] = (resource.insurer.display if resource.insurer else None) or (
        insurer.name if insurer else None
    )
    if insurer is not None:
        data["payer_tax_id"] = identifier(insurer.identifier, TAX_ID)
        address_of(insurer, data, "payer_")
    payee_org = ctx.resolve(payee, Organization)
    data["payee_name"] = (payee.display if payee else None) or (
        payee_org.name if payee_org else None
    )
    patient = ctx.resolve(resource.patient, Patient)
    data["member_id"] = identifier(resource.patient.identifier) if resource.patient else None
    if patient is not None:
        data["member_id"] = data["member_id"] or typed_identifier(patient.identifier, "MB")
        data["patient_last_name"], data["patient_first_name"] = person_name(patient)


def _parties_json(payment: ClaimPayment) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Contained payer and patient, and the ``insurer`` and ``patient`` references to them."""
    contained: list[dict[str, Any]] = []
    payer_id = {"system": ID_PAYER, "value": payment.payer_id}
    refs: dict[str, Any] = {"insurer": prune({"identifier": payer_id})}
    address = address_json(payment, "payer_")
    if payment.payer_name or payment.payer_tax_id or address:
        idents = [payer_id]
        if payment.payer_tax_id:
            idents.append({"system": TAX_ID, "value": payment.payer_tax_id})
        contained.append(
            prune(
                {
                    "resourceType": "Organization",
                    "id": "insurer",
                    "identifier": idents,
                    "name": payment.payer_name,
                    "address": address,
                }
            )
        )
        refs["insurer"] = {"reference": "#insurer", "identifier": payer_id}
    if payment.member_id or payment.patient_first_name or payment.patient_last_name:
        name = prune(
            {
                "family": payment.patient_last_name,
                "given": [payment.patient_first_name] if payment.patient_first_name else None,
            }
        )
        contained.append(
            prune(
                {
                    "resourceType": "Patient",
                    "id": "patient",
                    "identifier": [member_identifier(payment.member_id)]
                    if payment.member_id
                    else None,
                    "name": [name] if name else None,
                }
            )
        )
        refs["patient"] = {"reference": "#patient"}
    else:
        refs["patient"] = data_absent()
    return contained, refs


def _claim_id(ref: Reference | None, ctx: Context) -> str | None:
    if ref is None:
        return None
    found = identifier(ref.identifier, ID_CLAIM) or identifier(ref.identifier)
    if found:
        return found
    claim = ctx.resolve(ref, FhirClaim)
    if claim is not None:
        return identifier(claim.identifier, ID_CLAIM) or identifier(claim.identifier) or claim.id
    return ref.reference.rsplit("/", 1)[-1].lstrip("#") if ref.reference else None


def _status(
    resource: ClaimResponse | ExplanationOfBenefit, paid: Decimal | None, charge: Decimal | None
) -> str:
    found = ext(resource, EXT_CLAIM_STATUS)
    if found is not None and found.valueCoding is not None and found.valueCoding.code:
        return found.valueCoding.code
    if resource.use == "predetermination":
        return ClaimStatus.PREDETERMINATION
    if resource.status == "cancelled":
        return ClaimStatus.REVERSAL
    if paid is not None and charge and paid == 0:
        return ClaimStatus.DENIED
    return ClaimStatus.PRIMARY


def _read_adjudication(entries: Sequence[Any], path: str, ctx: Context) -> dict[str, Any]:
    """Adjustments, remark codes and amounts by category of one adjudication list."""
    out: dict[str, Any] = {"adjustments": [], "rarcs": [], "amounts": {}, "units": None}
    grouped = False
    for i, entry in enumerate(entries):
        group = first_code(entry.category, GROUP_CODE)
        rarc = first_code(entry.reason, RARC)
        amount = entry.amount.value if entry.amount is not None else None
        if rarc is not None:
            out["rarcs"].append(rarc)
        if group is not None:
            grouped = True
            carc = first_code(entry.reason, CARC) or first_code(entry.reason)
            if group not in _GROUPS:
                ctx.problem(f"{path}[{i}].category", "not a claim adjustment group code", group)
            if carc is None:
                ctx.problem(f"{path}[{i}].reason", f"no reason code (system {CARC})")
            if amount is None:
                ctx.problem(f"{path}[{i}].amount", "an adjustment needs an amount")
            out["adjustments"].append(
                {"group_code": group, "carc": carc, "amount": amount, "quantity": entry.value}
            )
            continue
        for c in codes(entry.category):
            if c.code == "paidunits" and c.system == ADJUDICATION_EXTRA:
                out["units"] = entry.value
            elif amount is not None and c.code:
                out["amounts"].setdefault(c.code, amount)
    if not grouped:
        out["adjustments"] = _derived_adjustments(out["amounts"])
    return out


def _derived_adjustments(amounts: dict[str, Decimal]) -> list[dict[str, Any]]:
    """Adjustments inferred from the standard categories of a resource without CAS detail."""
    found: list[dict[str, Any]] = []
    submitted, eligible = amounts.get("submitted"), amounts.get("eligible")
    if submitted is not None and eligible is not None and submitted > eligible:
        found.append({"group_code": "CO", "carc": "45", "amount": submitted - eligible})
    for category, carc in (("deductible", "1"), ("coinsurance", "2"), ("copay", "3")):
        amount = amounts.get(category)
        if amount:
            found.append({"group_code": "PR", "carc": carc, "amount": amount})
    return found


def _read_line(item: Any, path: str, ctx: Context) -> dict[str, Any]:
    seq = item.itemSequence if hasattr(item, "itemSequence") else item.sequence
    level = _read_adjudication(item.adjudication or [], f"{path}.adjudication", ctx)
    charge = level["amounts"].get("submitted")
    if charge is None and isinstance(item, ExplanationOfBenefitItem) and item.net is not None:
        charge = item.net.value
    if charge is None:
        ctx.problem(f"{path}.adjudication", "no submitted amount for the line")
    line: dict[str, Any] = {
        "line_number": seq,
        "charge": charge,
        "paid": level["amounts"].get("benefit", Decimal(0)),
        "units_paid": level["units"],
        "rarcs": level["rarcs"],
        "adjustments": level["adjustments"],
    }
    if isinstance(item, ExplanationOfBenefitItem):
        procedures = codes(item.productOrService, CPT, HCPCS) or [
            c for c in codes(item.productOrService) if c.system is None
        ]
        line["procedure_code"] = procedures[0].code if procedures else None
        line["modifiers"] = [first_code(m) for m in item.modifier or []]
        line["revenue_code"] = first_code(item.revenue, NUBC_REVENUE) or first_code(item.revenue)
        line["service_date"] = to_date(item.servicedDate) or (
            to_date(item.servicedPeriod.start) if item.servicedPeriod else None
        )
        return line
    service = ext(item, EXT_LINE_SERVICE)
    if service is not None:
        for part in service.extension or []:
            value = part.valueCoding.code if part.valueCoding else None
            if part.url == "procedure":
                line["procedure_code"] = value
            elif part.url == "modifier":
                line.setdefault("modifiers", []).append(value)
            elif part.url == "revenue":
                line["revenue_code"] = value
            elif part.url == "serviceDate":
                line["service_date"] = to_date(part.valueDate)
    return line


# canonical -> FHIR


def _adjustment_json(adj: Adjustment) -> dict[str, Any]:
    return prune(
        {
            "category": concept(GROUP_CODE, adj.group_code.value),
            "reason": concept(CARC, adj.carc),
            "amount": money(adj.amount),
            "value": adj.quantity,
        }
    )


def _level_json(
    adjustments: Sequence[Adjustment],
    rarcs: Sequence[str],
    charge: Decimal | None = None,
    paid: Decimal | None = None,
    units: Decimal | None = None,
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    if charge is not None:
        entries.append({"category": concept(ADJUDICATION, "submitted"), "amount": money(charge)})
    if paid is not None:
        entries.append({"category": concept(ADJUDICATION, "benefit"), "amount": money(paid)})
    if units is not None:
        entries.append({"category": concept(ADJUDICATION_EXTRA, "paidunits"), "value": units})
    entries.extend(_adjustment_json(a) for a in adjustments)
    entries.extend(
        {"category": concept(ADJUDICATION_EXTRA, "remark"), "reason": concept(RARC, r)}
        for r in rarcs
    )
    if adjustments:
        # Derived views for readers that know only the standard categories; not read back
        # when group-coded adjustments are present.
        for category, group, carc in (("deductible", "PR", "1"), ("copay", "PR", "3")):
            total = sum(
                (a.amount for a in adjustments if a.group_code == group and a.carc == carc),
                Decimal(0),
            )
            if total:
                entries.append(
                    {"category": concept(ADJUDICATION, category), "amount": money(total)}
                )
        if charge is not None:
            eligible = charge - sum(
                (a.amount for a in adjustments if a.group_code != GroupCode.PATIENT_RESPONSIBILITY),
                Decimal(0),
            )
            entries.append(
                {"category": concept(ADJUDICATION, "eligible"), "amount": money(eligible)}
            )
    return entries


def _line_service_json(line: LinePayment) -> dict[str, Any] | None:
    parts: list[dict[str, Any]] = []
    if line.procedure_code:
        parts.append(
            {
                "url": "procedure",
                "valueCoding": coding(procedure_system(line.procedure_code), line.procedure_code),
            }
        )
    parts.extend(
        {"url": "modifier", "valueCoding": coding(procedure_system(m), m)} for m in line.modifiers
    )
    if line.revenue_code:
        parts.append({"url": "revenue", "valueCoding": coding(NUBC_REVENUE, line.revenue_code)})
    if line.service_date:
        parts.append({"url": "serviceDate", "valueDate": line.service_date})
    return {"url": EXT_LINE_SERVICE, "extension": parts} if parts else None


def _item_json(line: LinePayment, eob: bool) -> dict[str, Any]:
    adjudication = _level_json(
        line.adjustments, line.rarcs, line.charge, line.paid, line.units_paid
    )
    if not eob:
        service = _line_service_json(line)
        return prune(
            {
                "extension": [service] if service else None,
                "itemSequence": line.line_number,
                "adjudication": adjudication,
            }
        )
    product = (
        concept(procedure_system(line.procedure_code), line.procedure_code)
        if line.procedure_code
        else concept(DATA_ABSENT_CODES, "not-applicable")
    )
    return prune(
        {
            "sequence": line.line_number,
            "revenue": concept(NUBC_REVENUE, line.revenue_code) if line.revenue_code else None,
            "productOrService": product,
            "modifier": [concept(procedure_system(m), m) for m in line.modifiers] or None,
            "servicedDate": line.service_date,
            "adjudication": adjudication,
        }
    )


def payment_to_fhir_json(payment: ClaimPayment, kind: str = "ClaimResponse") -> dict[str, Any]:
    """A ClaimResponse (or, with ``kind``, an ExplanationOfBenefit) as a JSON-ready mapping."""
    eob = kind == "ExplanationOfBenefit"
    extension: list[dict[str, Any]] = [
        {"url": EXT_CLAIM_STATUS, "valueCoding": coding(CLAIM_STATUS, payment.status.value)}
    ]
    if payment.filing_indicator:
        extension.append({"url": EXT_FILING_INDICATOR, "valueCode": payment.filing_indicator})
    idents = [{"system": ID_PAYMENT, "value": payment.payment_id}]
    if payment.payer_claim_control_number:
        idents.append(
            {"system": ID_PAYER_CLAIM_CONTROL, "value": payment.payer_claim_control_number}
        )
    # The type is required but not canonical: revenue codes mark an institutional claim.
    claim_type = (
        "institutional" if any(line.revenue_code for line in payment.lines) else "professional"
    )
    totals = [
        {"category": concept(ADJUDICATION, "submitted"), "amount": money(payment.total_charge)},
        {"category": concept(ADJUDICATION, "benefit"), "amount": money(payment.paid)},
    ]
    if payment.patient_responsibility is not None:
        totals.append(
            {
                "category": concept(
                    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication",
                    "memberliability",
                ),
                "amount": money(payment.patient_responsibility),
            }
        )
    provider = prune(
        {
            "identifier": {"system": NPI, "value": payment.payee_npi}
            if payment.payee_npi
            else None,
            "display": payment.payee_name,
        }
    )
    contained, refs = _parties_json(payment)
    claim_ref = {"identifier": {"system": ID_CLAIM, "value": payment.claim_id}}
    data: dict[str, Any] = {
        "resourceType": kind,
        "id": fhir_id(payment.payment_id),
        "contained": contained,
        "extension": extension,
        "identifier": idents,
        "status": "cancelled" if payment.status == ClaimStatus.REVERSAL else "active",
        "type": concept(CLAIM_TYPE, claim_type),
        "use": "predetermination" if payment.status == ClaimStatus.PREDETERMINATION else "claim",
        **refs,
        "outcome": "complete",
        "item": [_item_json(line, eob) for line in payment.lines],
        "adjudication": _level_json(payment.adjustments, payment.rarcs) or None,
        "total": totals,
        "payment": prune(
            {
                "type": concept("http://terminology.hl7.org/CodeSystem/ex-paymenttype", "complete"),
                "date": payment.payment_date,
                "amount": money(payment.paid),
                "identifier": {"value": payment.trace_number} if payment.trace_number else None,
            }
        ),
    }
    if eob:
        data["claim"] = claim_ref
        data["provider"] = provider or data_absent()
        data["insurance"] = [{"focal": True, "coverage": data_absent()}]
    else:
        data["request"] = claim_ref
        data["requestor"] = provider or None
    if payment.payment_date is None:
        data["_created"] = data_absent()
    else:
        data["created"] = payment.payment_date
    return prune(data)


def payment_to_claim_response(payment: ClaimPayment) -> ClaimResponse:
    """The FHIR R4 ClaimResponse of a canonical claim payment."""
    return ClaimResponse.model_validate(payment_to_fhir_json(payment))


def payment_to_eob(payment: ClaimPayment) -> ExplanationOfBenefit:
    """The FHIR R4 ExplanationOfBenefit of a canonical claim payment."""
    return ExplanationOfBenefit.model_validate(
        payment_to_fhir_json(payment, "ExplanationOfBenefit")
    )
