"""FHIR R4 ``ClaimResponse`` with ``use`` ``preauthorization`` to and from canonical
:class:`Authorization`.

R4 models a prior-authorization decision as the payer's ClaimResponse to a Claim of use
``preauthorization``: ``preAuthRef`` is the authorization number and ``preAuthPeriod`` the
window it may be quoted in (as Da Vinci PAS profiles it). The services are ``addItem``
entries (``productOrService``), or the items of the request Claim when it resolves (contained
or in the Bundle). R4 has no element for the decision, the units approved or used: they are
adjudication entries of cleanclaim categories (``decision`` on each added item, with the
authorization-status code as reason; ``approvedunits`` and ``usedunits`` at the header), and
reading falls back on ``status``/``outcome`` and the items' quantities when they are absent.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

from fhir.resources.R4B.claim import Claim as FhirClaim
from fhir.resources.R4B.claimresponse import ClaimResponse, ClaimResponseAddItem
from fhir.resources.R4B.patient import Patient

from ...domain import Authorization, AuthorizationStatus
from ._common import (
    Context,
    Origin,
    codes,
    concept,
    data_absent,
    fhir_id,
    first_code,
    identifier,
    member_identifier,
    npi_of,
    payer_id_of,
    procedure_of,
    prune,
    to_date,
    typed_identifier,
)
from .systems import (
    ADJUDICATION_EXTRA,
    AUTHORIZATION_STATUS,
    ID_AUTHORIZATION,
    ID_PAYER,
    NPI,
    procedure_system,
)

__all__ = ["authorization_from_fhir", "authorization_to_fhir_json", "is_authorization"]

_STATUSES: Final = frozenset(s.value for s in AuthorizationStatus)
_ORIGIN: Final = Origin(
    "ClaimResponse",
    {
        "auth_id": "preAuthRef",
        "payer_id": "insurer",
        "member_id": "patient",
        "provider_npi": "requestor",
        "procedure_codes": "addItem",
        "start_date": "preAuthPeriod.start",
        "end_date": "preAuthPeriod.end",
        "units_approved": "adjudication",
        "units_used": "adjudication",
        "status": "addItem.adjudication",
        "decided_on": "created",
    },
    whole="preAuthPeriod",
)


def is_authorization(resource: ClaimResponse) -> bool:
    """Whether a ClaimResponse answers a prior-authorization request."""
    return resource.use == "preauthorization"


def authorization_from_fhir(resource: ClaimResponse, ctx: Context) -> Authorization | None:
    """The canonical authorization of a preauthorization ClaimResponse; None on problems."""
    data: dict[str, Any] = {}
    data["auth_id"] = resource.preAuthRef or identifier(resource.identifier, ID_AUTHORIZATION)
    if data["auth_id"] is None:
        ctx.problem("ClaimResponse.preAuthRef", "no authorization number (preAuthRef)")
    data["payer_id"] = payer_id_of(resource.insurer, ctx)
    if data["payer_id"] is None:
        ctx.problem("ClaimResponse.insurer", "no payer (insurer identifier or reference)")
    data["member_id"] = _member_id(resource, ctx)
    if data["member_id"] is None:
        ctx.problem(
            "ClaimResponse.patient", "no member id (on the patient reference or the Patient)"
        )
    data["provider_npi"] = npi_of(resource.requestor, ctx)
    data["procedure_codes"] = _procedures(resource, ctx)
    period = resource.preAuthPeriod
    data["start_date"] = to_date(period.start) if period else None
    data["end_date"] = to_date(period.end) if period else None
    if data["start_date"] is None or data["end_date"] is None:
        ctx.problem("ClaimResponse.preAuthPeriod", "no authorized period (start and end)")
    approved = _header_value(resource, "approvedunits")
    if approved is None:
        approved = _added_quantity(resource.addItem or [])
    if approved is None:
        ctx.problem(
            "ClaimResponse.adjudication",
            "no units approved (adjudication approvedunits, or addItem quantities)",
        )
    data["units_approved"] = approved
    data["units_used"] = _header_value(resource, "usedunits") or Decimal(0)
    data["status"] = _status(resource)
    data["decided_on"] = to_date(resource.created)
    if ctx.problems:
        return None
    found: Authorization | None = ctx.canonical(Authorization.model_validate, data, _ORIGIN)
    return found


def _member_id(resource: ClaimResponse, ctx: Context) -> str | None:
    found = identifier(resource.patient.identifier) if resource.patient else None
    patient = ctx.resolve(resource.patient, Patient)
    if found is None and patient is not None:
        found = typed_identifier(patient.identifier, "MB")
    return found


def _procedures(resource: ClaimResponse, ctx: Context) -> list[str]:
    out = []
    for i, item in enumerate(resource.addItem or []):
        path = f"ClaimResponse.addItem[{i}].productOrService"
        code = procedure_of(item.productOrService, path, ctx)
        if code is not None:
            out.append(code)
    request = ctx.resolve(resource.request, FhirClaim)
    if not resource.addItem and request is not None:
        for i, claim_item in enumerate(request.item or []):
            path = f"ClaimResponse.request.item[{i}].productOrService"
            code = procedure_of(claim_item.productOrService, path, ctx)
            if code is not None:
                out.append(code)
    if not out and not ctx.problems:
        ctx.problem(
            "ClaimResponse.addItem",
            "no authorized service (addItem, or items of the request Claim)",
        )
    return out


def _header_value(resource: ClaimResponse, category: str) -> Decimal | None:
    for entry in resource.adjudication or []:
        if category in {c.code for c in codes(entry.category, ADJUDICATION_EXTRA)}:
            return entry.value
    return None


def _added_quantity(items: Iterable[ClaimResponseAddItem]) -> Decimal | None:
    values = [i.quantity.value for i in items if i.quantity and i.quantity.value is not None]
    return sum(values, Decimal(0)) if values else None


def _status(resource: ClaimResponse) -> str:
    for item in resource.addItem or []:
        for entry in item.adjudication or []:
            if "decision" in {c.code for c in codes(entry.category, ADJUDICATION_EXTRA)}:
                found = first_code(entry.reason, AUTHORIZATION_STATUS)
                if found in _STATUSES:
                    return found
    if resource.status == "cancelled":
        return AuthorizationStatus.CANCELLED
    if resource.outcome in ("queued", "partial"):
        return AuthorizationStatus.PENDING
    if resource.outcome == "error":
        return AuthorizationStatus.DENIED
    return AuthorizationStatus.APPROVED


def authorization_to_fhir_json(auth: Authorization) -> dict[str, Any]:
    """A preauthorization ClaimResponse of a canonical authorization (JSON-ready mapping).

    The canonical record has no claim type: ``type`` carries a data-absent-reason.
    """
    decision = {
        "category": concept(ADJUDICATION_EXTRA, "decision"),
        "reason": concept(AUTHORIZATION_STATUS, auth.status.value),
    }
    data: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "id": fhir_id(auth.auth_id),
        "identifier": [{"system": ID_AUTHORIZATION, "value": auth.auth_id}],
        "status": "cancelled" if auth.status == AuthorizationStatus.CANCELLED else "active",
        "type": data_absent(),
        "use": "preauthorization",
        "patient": {"identifier": member_identifier(auth.member_id)},
        "insurer": {"identifier": {"system": ID_PAYER, "value": auth.payer_id}},
        "requestor": {"identifier": {"system": NPI, "value": auth.provider_npi}}
        if auth.provider_npi
        else None,
        "outcome": "queued" if auth.status == AuthorizationStatus.PENDING else "complete",
        "preAuthRef": auth.auth_id,
        "preAuthPeriod": {"start": auth.start_date, "end": auth.end_date},
        "addItem": [
            {
                "productOrService": concept(procedure_system(code), code),
                "adjudication": [decision],
            }
            for code in auth.procedure_codes
        ],
        "adjudication": [
            {
                "category": concept(ADJUDICATION_EXTRA, "approvedunits"),
                "value": auth.units_approved,
            },
            {"category": concept(ADJUDICATION_EXTRA, "usedunits"), "value": auth.units_used},
        ],
    }
    if auth.decided_on is None:
        data["_created"] = data_absent()
    else:
        data["created"] = auth.decided_on
    return prune(data)


def _units(category: str, value: Decimal) -> dict[str, Any]:
    return {"category": concept(ADJUDICATION_EXTRA, category), "value": value}
