"""Writing canonical records as FHIR R4 resources, Bundles and NDJSON.

Claim -> Claim, ClaimPayment -> ClaimResponse (or ExplanationOfBenefit), Coverage -> Coverage,
Member -> Patient, Payer -> Organization, Plan -> InsurancePlan, Provider -> PractitionerRole,
Authorization -> ClaimResponse (use preauthorization). By default every resource is checked by
its fhir.resources model before it is written (``check=True``); ``check=False`` writes the
mapping directly, about 30 times faster, for callers that trust their canonical data (a code
with inner double spaces, say, would then go out as invalid FHIR instead of raising).
fhir.resources is imported on first use.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from ...domain import (
    Authorization,
    Claim,
    ClaimPayment,
    Coverage,
    Member,
    Payer,
    Plan,
    Provider,
    Record,
)
from .errors import FhirUnavailableError

if TYPE_CHECKING:
    from fhir.resources.R4B.resource import Resource

__all__ = [
    "BundleType",
    "PaymentKind",
    "iter_ndjson",
    "to_bundle_json",
    "to_resource",
    "to_resource_json",
    "write_bundle",
    "write_ndjson",
]

PaymentKind = Literal["ClaimResponse", "ExplanationOfBenefit"]
BundleType = Literal["collection", "transaction", "batch"]
Target = str | os.PathLike[str] | IO[str]
"""Where to write: a path (``str`` or ``os.PathLike``) or an open text file."""


def to_resource_json(record: Record, payment_kind: PaymentKind = "ClaimResponse") -> dict[str, Any]:
    """The FHIR resource of one canonical record as a JSON-ready mapping (not yet checked)."""
    try:
        from .authorization import authorization_to_fhir_json
        from .claim_json import claim_to_fhir_json
        from .coverage import coverage_to_fhir_json, member_to_fhir_json
        from .payer import payer_to_fhir_json, plan_to_fhir_json
        from .payment import payment_to_fhir_json
        from .provider import provider_to_fhir_json
    except ImportError as exc:
        raise FhirUnavailableError(
            "FHIR support needs the optional dependency fhir.resources: "
            "pip install 'cleanclaim[fhir]'"
        ) from exc
    if isinstance(record, Claim):
        return claim_to_fhir_json(record)
    if isinstance(record, ClaimPayment):
        return payment_to_fhir_json(record, payment_kind)
    if isinstance(record, Coverage):
        return coverage_to_fhir_json(record)
    if isinstance(record, Member):
        return member_to_fhir_json(record)
    if isinstance(record, Payer):
        return payer_to_fhir_json(record)
    if isinstance(record, Plan):
        return plan_to_fhir_json(record)
    if isinstance(record, Provider):
        return provider_to_fhir_json(record)
    if isinstance(record, Authorization):
        return authorization_to_fhir_json(record)
    raise TypeError(f"no FHIR mapping for {type(record).__name__}")


def to_resource(record: Record, payment_kind: PaymentKind = "ClaimResponse") -> Resource:
    """The checked fhir.resources model of one canonical record."""
    data = to_resource_json(record, payment_kind)  # FhirUnavailableError first, if need be
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.resource import Resource

    resource = get_fhir_model_class(data["resourceType"]).model_validate(data)
    assert isinstance(resource, Resource)
    return resource


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        # Money and quantities have at most 14 significant digits: a float's shortest repr
        # gives the same decimal back (and is how fhir.resources writes decimals too).
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_line(record: Record, payment_kind: PaymentKind, check: bool) -> str:
    if check:
        text: str = to_resource(record, payment_kind).model_dump_json()
        return text
    return json.dumps(
        to_resource_json(record, payment_kind), default=_json_default, separators=(",", ":")
    )


def to_bundle_json(
    records: Iterable[Record],
    bundle_type: BundleType = "collection",
    payment_kind: PaymentKind = "ClaimResponse",
    check: bool = True,
) -> dict[str, Any]:
    """A Bundle of the records as a JSON-ready mapping; a transaction or batch POSTs each."""
    entries = []
    for record in records:
        resource = json.loads(_json_line(record, payment_kind, check))
        entry: dict[str, Any] = {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": resource}
        if bundle_type != "collection":
            entry["request"] = {"method": "POST", "url": resource["resourceType"]}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": bundle_type, "entry": entries}


def _open(target: Target, stack: ExitStack) -> IO[str]:
    if isinstance(target, str | os.PathLike):
        return stack.enter_context(Path(target).open("w", encoding="utf-8"))
    return target


def write_bundle(
    records: Iterable[Record],
    target: Target,
    bundle_type: BundleType = "collection",
    payment_kind: PaymentKind = "ClaimResponse",
    indent: int | None = 2,
    check: bool = True,
) -> int:
    """Write the records as one Bundle; returns the number of entries."""
    bundle = to_bundle_json(records, bundle_type, payment_kind, check)
    with ExitStack() as stack:
        stream = _open(target, stack)
        json.dump(bundle, stream, indent=indent)
        stream.write("\n")
    return len(bundle["entry"])


def iter_ndjson(
    records: Iterable[Record], payment_kind: PaymentKind = "ClaimResponse", check: bool = True
) -> Iterator[str]:
    """One line of NDJSON (with its newline) per record."""
    for record in records:
        yield _json_line(record, payment_kind, check) + "\n"


def write_ndjson(
    records: Iterable[Record],
    target: Target,
    payment_kind: PaymentKind = "ClaimResponse",
    check: bool = True,
) -> int:
    """Write one resource per line, streaming; returns the number of lines."""
    count = 0
    with ExitStack() as stack:
        stream = _open(target, stack)
        for line in iter_ndjson(records, payment_kind, check):
            stream.write(line)
            count += 1
    return count
