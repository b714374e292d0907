"""FHIR R4 ``Organization`` to and from canonical :class:`Payer`, ``InsurancePlan`` to and from
:class:`Plan`.

R4 has no element for a payer's filing and appeal windows, nor for a plan's excluded services
or the procedure codes a benefit limit counts: those travel in cleanclaim extensions (listed in
docs/fhir.md). An Organization is read as a Payer only when it carries at least one of the payer
extensions; any other Organization (an insurer named by a Claim, a clinic) only serves
references, as before. Every InsurancePlan is read as a Plan.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from fhir.resources.R4B.insuranceplan import (
    InsurancePlan,
    InsurancePlanCoverageBenefit,
    InsurancePlanCoverageBenefitLimit,
)
from fhir.resources.R4B.organization import Organization

from ...domain import Payer, Plan
from ._common import (
    Context,
    Origin,
    codes,
    coding,
    concept,
    extensions,
    fhir_id,
    first_code,
    identifier,
    payer_id_of,
    procedure_of,
    prune,
)
from .coverage import product_line_json, product_line_of
from .systems import (
    BENEFIT,
    BENEFIT_PERIOD,
    EXT_APPEAL_WINDOW_DAYS,
    EXT_BENEFIT_PROCEDURE,
    EXT_CORRECTED_CLAIM_DAYS,
    EXT_EXCLUDED_SERVICE,
    EXT_MEMBER_ID_PATTERN,
    EXT_TIMELY_FILING_DAYS,
    ID_PAYER,
    ID_PLAN,
    INSURANCE_PLAN_TYPE,
    ORGANIZATION_TYPE,
    procedure_system,
)

__all__ = [
    "is_payer",
    "payer_from_fhir",
    "payer_to_fhir_json",
    "plan_from_fhir",
    "plan_to_fhir_json",
]

_PAYER_EXTENSIONS: Final = (
    EXT_TIMELY_FILING_DAYS,
    EXT_APPEAL_WINDOW_DAYS,
    EXT_CORRECTED_CLAIM_DAYS,
    EXT_MEMBER_ID_PATTERN,
)
_AUTH_REQUIREMENT: Final = "prior authorization"
"""``benefit.requirement`` written for a code that needs prior authorization; read back when
the requirement mentions authorization (any case) or ``preauth``."""

_PAYER_ORIGIN: Final = Origin(
    "Organization",
    {
        "payer_id": "identifier",
        "name": "name",
        "timely_filing_days": f"extension({EXT_TIMELY_FILING_DAYS})",
        "appeal_window_days": f"extension({EXT_APPEAL_WINDOW_DAYS})",
        "corrected_claim_days": f"extension({EXT_CORRECTED_CLAIM_DAYS})",
        "member_id_pattern": f"extension({EXT_MEMBER_ID_PATTERN})",
    },
)
_PLAN_ORIGIN: Final = Origin(
    "InsurancePlan",
    {
        "plan_id": "identifier",
        "payer_id": "ownedBy",
        "name": "name",
        "product_line": "type",
        "excluded_codes": f"extension({EXT_EXCLUDED_SERVICE})",
        "auth_required_codes": "coverage.benefit",
    },
    {
        "limits": (
            "coverage.benefit",
            {
                "benefit": "type",
                "procedure_codes": f"extension({EXT_BENEFIT_PROCEDURE})",
                "max_units": "limit.value",
                "period": "limit.code",
            },
        )
    },
)


# Payer <-> Organization


def is_payer(resource: Organization) -> bool:
    """Whether an Organization describes a payer (carries a cleanclaim payer extension)."""
    return any(extensions(resource, url) for url in _PAYER_EXTENSIONS)


def _int_extension(resource: Any, url: str, root: str, ctx: Context) -> int | None:
    for i, found in enumerate(resource.extension or []):
        if found.url != url:
            continue
        for value in (found.valuePositiveInt, found.valueUnsignedInt, found.valueInteger):
            if value is not None:
                return int(value)
        ctx.problem(f"{root}.extension[{i}]", f"{url} has no integer value")
        return None
    return None


def payer_from_fhir(resource: Organization, ctx: Context) -> Payer | None:
    """The canonical payer of an Organization (see :func:`is_payer`); None on problems."""
    data: dict[str, Any] = {
        "payer_id": identifier(resource.identifier, ID_PAYER)
        or identifier(resource.identifier)
        or resource.id,
        "name": resource.name,
    }
    if data["payer_id"] is None:
        ctx.problem("Organization.identifier", "no payer id (identifier or id)")
    if resource.name is None:
        ctx.problem("Organization.name", "no payer name")
    for field, url in (
        ("timely_filing_days", EXT_TIMELY_FILING_DAYS),
        ("appeal_window_days", EXT_APPEAL_WINDOW_DAYS),
    ):
        data[field] = _int_extension(resource, url, "Organization", ctx)
        if data[field] is None and not extensions(resource, url):
            ctx.problem("Organization.extension", f"no {field} (extension {url})")
    data["corrected_claim_days"] = _int_extension(
        resource, EXT_CORRECTED_CLAIM_DAYS, "Organization", ctx
    )
    pattern = extensions(resource, EXT_MEMBER_ID_PATTERN)
    data["member_id_pattern"] = pattern[0].valueString if pattern else None
    if ctx.problems:
        return None
    payer: Payer | None = ctx.canonical(Payer.model_validate, data, _PAYER_ORIGIN)
    return payer


def payer_to_fhir_json(payer: Payer) -> dict[str, Any]:
    """An Organization of type ``pay`` for a canonical payer, as a JSON-ready mapping."""
    extension: list[dict[str, Any]] = [
        {"url": EXT_TIMELY_FILING_DAYS, "valuePositiveInt": payer.timely_filing_days},
        {"url": EXT_APPEAL_WINDOW_DAYS, "valuePositiveInt": payer.appeal_window_days},
    ]
    if payer.corrected_claim_days is not None:
        extension.append(
            {"url": EXT_CORRECTED_CLAIM_DAYS, "valuePositiveInt": payer.corrected_claim_days}
        )
    if payer.member_id_pattern is not None:
        extension.append({"url": EXT_MEMBER_ID_PATTERN, "valueString": payer.member_id_pattern})
    return {
        "resourceType": "Organization",
        "id": fhir_id(payer.payer_id),
        "extension": extension,
        "identifier": [{"system": ID_PAYER, "value": payer.payer_id}],
        "active": True,
        "type": [concept(ORGANIZATION_TYPE, "pay")],
        "name": payer.name,
    }


# Plan <-> InsurancePlan


def plan_from_fhir(resource: InsurancePlan, ctx: Context) -> Plan | None:
    """The canonical plan of an InsurancePlan; None when ``ctx`` noted problems."""
    data: dict[str, Any] = {
        "plan_id": identifier(resource.identifier, ID_PLAN)
        or identifier(resource.identifier)
        or resource.id,
        "payer_id": payer_id_of(resource.ownedBy, ctx) or payer_id_of(resource.administeredBy, ctx),
        "name": resource.name,
    }
    if data["plan_id"] is None:
        ctx.problem("InsurancePlan.identifier", "no plan id (identifier or id)")
    if data["payer_id"] is None:
        ctx.problem("InsurancePlan.ownedBy", "no payer (ownedBy or administeredBy)")
    if resource.name is None:
        ctx.problem("InsurancePlan.name", "no plan name")
    data["product_line"] = product_line_of(resource.type or [], "InsurancePlan.type", ctx)
    data["excluded_codes"] = _excluded(resource, ctx)
    data["auth_required_codes"], data["limits"] = _benefits(resource, ctx)
    if ctx.problems:
        return None
    plan: Plan | None = ctx.canonical(Plan.model_validate, data, _PLAN_ORIGIN)
    return plan


def _excluded(resource: InsurancePlan, ctx: Context) -> list[str]:
    out = []
    for i, found in enumerate(resource.extension or []):
        if found.url != EXT_EXCLUDED_SERVICE:
            continue
        code = found.valueCoding.code if found.valueCoding is not None else None
        if code is None:
            ctx.problem(f"InsurancePlan.extension[{i}]", "excluded service without a valueCoding")
        else:
            out.append(code)
    return out


def _benefits(resource: InsurancePlan, ctx: Context) -> tuple[list[str], list[dict[str, Any]]]:
    """Codes needing authorization, and benefit limits, of every coverage's benefits."""
    auth: list[str] = []
    limits: list[dict[str, Any]] = []
    for i, cover in enumerate(resource.coverage or []):
        for j, benefit in enumerate(cover.benefit or []):
            path = f"InsurancePlan.coverage[{i}].benefit[{j}]"
            if benefit.limit:
                limits.append(_limit(benefit, benefit.limit[0], path, ctx))
            elif _needs_auth(benefit.requirement):
                code = procedure_of(benefit.type, f"{path}.type", ctx)
                if code is not None:
                    auth.append(code)
                elif not codes(benefit.type):
                    ctx.problem(f"{path}.type", "no procedure code for the authorization")
    return auth, limits


def _needs_auth(requirement: str | None) -> bool:
    text = (requirement or "").lower()
    return "authoriz" in text or "preauth" in text


def _limit(
    benefit: InsurancePlanCoverageBenefit,
    limit: InsurancePlanCoverageBenefitLimit,
    path: str,
    ctx: Context,
) -> dict[str, Any]:
    name = first_code(benefit.type, BENEFIT) or first_code(benefit.type) or benefit.type.text
    procedures: list[str] = []
    for k, found in enumerate(benefit.extension or []):
        if found.url != EXT_BENEFIT_PROCEDURE:
            continue
        if found.valueCoding is None or not found.valueCoding.code:
            ctx.problem(f"{path}.extension[{k}]", "benefit procedure without a valueCoding")
        else:
            procedures.append(found.valueCoding.code)
    if not procedures:
        ctx.problem(
            f"{path}.extension",
            f"no procedure codes the limit counts (extension {EXT_BENEFIT_PROCEDURE})",
        )
    units: Decimal | None = limit.value.value if limit.value is not None else None
    if units is None:
        ctx.problem(f"{path}.limit[0].value", "no limit value")
    period = first_code(limit.code, BENEFIT_PERIOD) or first_code(limit.code)
    if period is None:
        ctx.problem(f"{path}.limit[0].code", f"no limit period (system {BENEFIT_PERIOD})")
    return {"benefit": name, "procedure_codes": procedures, "max_units": units, "period": period}


def plan_to_fhir_json(plan: Plan) -> dict[str, Any]:
    """An InsurancePlan of a canonical plan, as a JSON-ready mapping."""
    benefits: list[dict[str, Any]] = [
        {"type": concept(procedure_system(code), code), "requirement": _AUTH_REQUIREMENT}
        for code in plan.auth_required_codes
    ]
    for limit in plan.limits:
        benefits.append(
            {
                "extension": [
                    {"url": EXT_BENEFIT_PROCEDURE, "valueCoding": coding(procedure_system(c), c)}
                    for c in limit.procedure_codes
                ],
                "type": concept(BENEFIT, limit.benefit),
                "limit": [
                    {
                        "value": {"value": limit.max_units, "unit": "units"},
                        "code": concept(BENEFIT_PERIOD, limit.period.value),
                    }
                ],
            }
        )
    return prune(
        {
            "resourceType": "InsurancePlan",
            "id": fhir_id(plan.plan_id),
            "extension": [
                {"url": EXT_EXCLUDED_SERVICE, "valueCoding": coding(procedure_system(c), c)}
                for c in plan.excluded_codes
            ],
            "identifier": [{"system": ID_PLAN, "value": plan.plan_id}],
            "status": "active",
            "type": [product_line_json(plan.product_line)],
            "name": plan.name,
            "ownedBy": {"identifier": {"system": ID_PAYER, "value": plan.payer_id}},
            "coverage": [{"type": concept(INSURANCE_PLAN_TYPE, "medical"), "benefit": benefits}]
            if benefits
            else None,
        }
    )
