"""FHIR R4 for cleanclaim, on the R4B models of fhir.resources (wire-compatible with R4 for
the resources used): Claim, ClaimResponse, ExplanationOfBenefit, Coverage, Patient, the
coverage eligibility request/response, and for payers, plans, providers and prior
authorizations Organization, InsurancePlan, PractitionerRole and ClaimResponse (use
preauthorization), to and from the canonical records.

fhir.resources is an optional dependency: importing this package does not need it; reading and
writing raise :class:`FhirUnavailableError` when it is missing. The typed mappers
(:mod:`.claim`, :mod:`.payment`, :mod:`.coverage`, :mod:`.payer`, :mod:`.provider`,
:mod:`.authorization`) import it when they are imported.

Typical use::

    from pathlib import Path
    from cleanclaim.standards.fhir import parse, validate, write_ndjson

    records = list(parse(Path("claims.ndjson")))   # FhirInputError at the first bad resource
    problems = validate(Path("bundle.json"))       # every problem, with its position
    write_ndjson(records, Path("out.ndjson"))
"""

from .errors import FhirInputError, FhirProblem, FhirUnavailableError
from .reading import Source, parse, validate
from .result import EligibilityResult
from .writing import (
    BundleType,
    PaymentKind,
    iter_ndjson,
    to_bundle_json,
    to_resource,
    to_resource_json,
    write_bundle,
    write_ndjson,
)

__all__ = [
    "BundleType",
    "EligibilityResult",
    "FhirInputError",
    "FhirProblem",
    "FhirUnavailableError",
    "PaymentKind",
    "Source",
    "iter_ndjson",
    "parse",
    "to_bundle_json",
    "to_resource",
    "to_resource_json",
    "validate",
    "write_bundle",
    "write_ndjson",
]
