"""Resource-level work of the FHIR reader: check a JSON resource against its fhir.resources
model, resolve what a Bundle holds, and map each resource to canonical records.

Imported lazily by :mod:`cleanclaim.standards.fhir.reading` (it needs fhir.resources).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.claim import Claim as FhirClaim
from fhir.resources.R4B.claimresponse import ClaimResponse
from fhir.resources.R4B.coverage import Coverage as FhirCoverage
from fhir.resources.R4B.coverageeligibilityrequest import CoverageEligibilityRequest
from fhir.resources.R4B.coverageeligibilityresponse import CoverageEligibilityResponse
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit
from fhir.resources.R4B.insuranceplan import InsurancePlan
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from ...domain import Member, Record
from ._common import Context, Index, loc_path, typed_identifier
from .authorization import authorization_from_fhir, is_authorization
from .claim import claim_from_fhir
from .coverage import (
    coverage_from_fhir,
    eligibility_from_fhir,
    inquiry_from_fhir,
    member_from_patient,
)
from .payer import is_payer, payer_from_fhir, plan_from_fhir
from .payment import payment_from_fhir
from .provider import is_provider, provider_from_fhir

__all__ = ["MAPPED", "RESOLVED", "Found", "Mapper"]

MAPPED: Final = frozenset(
    {
        "Claim",
        "ClaimResponse",
        "ExplanationOfBenefit",
        "Coverage",
        "CoverageEligibilityRequest",
        "CoverageEligibilityResponse",
        "Patient",
        "InsurancePlan",
        "Organization",
        "PractitionerRole",
    }
)
"""Resource types that become canonical records: a Patient only when it describes a member,
an Organization only when it carries payer extensions, a PractitionerRole only when it states
network participation; otherwise they only serve references."""

RESOLVED: Final = frozenset({"Practitioner", "Location", "RelatedPerson"})
"""Resource types read from a Bundle only so references to them resolve."""


@dataclass(frozen=True, slots=True)
class Found:
    """A problem of one resource: element path, cause and the offending value."""

    path: str
    cause: str
    value: str | None = None


def _shown(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)[:80]


def _nulls(value: object, path: str, found: list[Found], in_primitive: bool = False) -> list[Found]:
    """Problems for every JSON null, except the place holders of primitive extension arrays."""
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None:
                found.append(Found(f"{path}.{key}", "null is not allowed in FHIR JSON"))
            else:
                primitive = str(key).startswith("_") or f"_{key}" in value
                _nulls(item, f"{path}.{key}", found, primitive)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if item is None and not in_primitive:
                found.append(Found(f"{path}[{i}]", "null is not allowed in FHIR JSON"))
            elif item is not None:
                _nulls(item, f"{path}[{i}]", found)
    return found


def _bad_contained(data: dict[str, Any], rtype: str) -> list[Found]:
    """Contained resources of no known type (fhir_core fails on them with a KeyError)."""
    contained = data.get("contained")
    if not isinstance(contained, list):
        return []
    found = []
    for i, item in enumerate(contained):
        kind = item.get("resourceType") if isinstance(item, dict) else None
        if not isinstance(kind, str) or not _known(kind):
            found.append(
                Found(f"{rtype}.contained[{i}]", "not a resource of a known type", _shown(kind))
            )
    return found


def _known(kind: str) -> bool:
    try:
        get_fhir_model_class(kind)
    except ValueError:
        return False
    return True


class Mapper:
    """Checks resources and maps them; remembers members already emitted in one input."""

    def __init__(self) -> None:
        self._members: set[str] = set()
        # The requests answered in the Bundle being mapped (kept alive so identity holds).
        self._answered: list[Resource] = []

    def check(self, data: dict[str, Any]) -> tuple[Resource | None, list[Found]]:
        """The model of a JSON resource of a type read, or the problems that refuse it."""
        rtype = data.get("resourceType")
        if not isinstance(rtype, str):
            return None, [Found("resourceType", "not a FHIR resource (no resourceType)")]
        if rtype not in MAPPED and rtype not in RESOLVED:
            return None, []
        nulls = _nulls(data, rtype, []) + _bad_contained(data, rtype)
        if nulls:
            # FHIR JSON has no nulls (fhir.resources lets some through, even on required
            # elements, which would then be missing after the check).
            return None, nulls
        model = get_fhir_model_class(rtype)
        try:
            resource = model.model_validate(data)
        except ValidationError as exc:
            return None, [
                Found(loc_path(rtype, e["loc"]), e["msg"], _shown(e.get("input")))
                for e in exc.errors()
            ]
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # fhir_core lets plain exceptions out on some malformed shapes (a string where an
            # element is expected is parsed as JSON, for one); they are input problems too.
            cause = f"malformed resource ({type(exc).__name__}: {str(exc)[:120]})"
            return None, [Found(rtype, cause)]
        assert isinstance(resource, Resource)
        return resource, []

    def index(self, resources: list[tuple[Resource, str | None]]) -> Index:
        found = Index()
        self._answered = []
        for resource, full_url in resources:
            found.add(resource, full_url)
        # A Claim of use preauthorization that a preauthorization ClaimResponse of the same
        # Bundle answers is read through that response, not as a (non-billed) claim.
        for resource, _ in resources:
            if isinstance(resource, ClaimResponse) and is_authorization(resource):
                request = Context(resource, found).resolve(resource.request, FhirClaim)
                if request is not None:
                    self._answered.append(request)
        return found

    def records(self, resource: Resource, index: Index | None) -> tuple[list[Record], list[Found]]:
        """The canonical records of one checked resource, or the problems that refuse it."""
        if not isinstance(resource, DomainResource) or any(
            resource is answered for answered in self._answered
        ):
            return [], []
        ctx = Context(resource, index)
        out = list(self._map(resource, ctx))
        if ctx.problems:
            return [], [Found(p, c, v) for p, c, v in ctx.problems]
        return out, []

    def _map(self, resource: DomainResource, ctx: Context) -> Iterator[Record]:
        found: Record | None = None
        if isinstance(resource, FhirClaim):
            found = claim_from_fhir(resource, ctx)
        elif isinstance(resource, ClaimResponse) and is_authorization(resource):
            found = authorization_from_fhir(resource, ctx)
        elif isinstance(resource, ClaimResponse | ExplanationOfBenefit):
            found = payment_from_fhir(resource, ctx)
        elif isinstance(resource, CoverageEligibilityRequest):
            found = inquiry_from_fhir(resource, ctx)
        elif isinstance(resource, CoverageEligibilityResponse):
            found = eligibility_from_fhir(resource, ctx)
        elif isinstance(resource, FhirCoverage):
            coverage, member = coverage_from_fhir(resource, ctx)
            found = coverage
            if member is not None and self._first(member):
                yield member
        elif isinstance(resource, Patient) and typed_identifier(resource.identifier, "MB"):
            member = member_from_patient(resource, ctx)
            if member is not None and self._first(member):
                found = member
        else:
            found = self._party(resource, ctx)
        if found is not None:
            yield found

    def _party(self, resource: DomainResource, ctx: Context) -> Record | None:
        if isinstance(resource, Organization) and is_payer(resource):
            return payer_from_fhir(resource, ctx)
        if isinstance(resource, InsurancePlan):
            return plan_from_fhir(resource, ctx)
        if isinstance(resource, PractitionerRole) and is_provider(resource):
            return provider_from_fhir(resource, ctx)
        return None

    def _first(self, member: Member) -> bool:
        if member.member_id in self._members:
            return False
        self._members.add(member.member_id)
        return True
