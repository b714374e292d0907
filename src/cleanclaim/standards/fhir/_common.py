"""Shared machinery of the FHIR mappers: the per-resource context and small element helpers.

Imports fhir.resources, so only the mapping modules import it (and they are imported lazily).
A :class:`Context` holds what one resource's mapping needs: the contained resources and the
Bundle around it to resolve references, and the list of problems found so far, so a mapping
goes on after a problem and reports every one it can see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, TypeVar

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from .systems import (
    CPT,
    DATA_ABSENT_CODES,
    DATA_ABSENT_REASON,
    HCPCS,
    ID_PAYER,
    IDENTIFIER_TYPE,
    NPI,
    SUBSCRIBER_RELATIONSHIP,
    X12_RELATIONSHIP,
    relationship_from_fhir,
    relationship_to_fhir,
)

__all__ = [
    "ADDRESS_FIELDS",
    "Context",
    "Index",
    "Origin",
    "address_json",
    "address_of",
    "codes",
    "coding",
    "concept",
    "data_absent",
    "ext",
    "extensions",
    "fhir_id",
    "first_code",
    "head",
    "identifier",
    "loc_path",
    "member_identifier",
    "money",
    "npi_of",
    "payer_id_of",
    "person_name",
    "procedure_of",
    "prune",
    "relationship_json",
    "relationship_of",
    "to_date",
    "typed_identifier",
]

T = TypeVar("T", bound=Resource)
E = TypeVar("E")

_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


class Index:
    """Resources of a Bundle by ``fullUrl`` and by ``Type/id``, to resolve references."""

    def __init__(self) -> None:
        self._by_key: dict[str, Resource] = {}

    def add(self, resource: Resource, full_url: str | None) -> None:
        if full_url:
            self._by_key[full_url] = resource
        rid = getattr(resource, "id", None)
        if rid:
            self._by_key[f"{resource.get_resource_type()}/{rid}"] = resource

    def get(self, reference: str) -> Resource | None:
        found = self._by_key.get(reference)
        if found is None and "/" in reference:
            # An absolute URL of a server: the last two segments are Type/id.
            tail = "/".join(reference.rstrip("/").split("/")[-2:])
            found = self._by_key.get(tail)
        return found


class Context:
    """What mapping one resource needs and finds: reference resolution and problems."""

    def __init__(self, resource: DomainResource, index: Index | None = None) -> None:
        self.resource = resource
        self.index = index
        self.problems: list[tuple[str, str, str | None]] = []
        self._contained = {
            f"#{c.id}": c for c in (resource.contained or []) if getattr(c, "id", None)
        }

    def problem(self, path: str, cause: str, value: object = None) -> None:
        self.problems.append((path, cause, None if value is None else str(value)))

    def resolve(self, ref: Reference | None, kind: type[T]) -> T | None:
        """The resource ``ref`` points to when it is contained or in the Bundle, of ``kind``."""
        if ref is None or not ref.reference:
            return None
        key = ref.reference
        found = self._contained.get(key) if key.startswith("#") else None
        if found is None and self.index is not None and not key.startswith("#"):
            found = self.index.get(key)
        return found if isinstance(found, kind) else None

    def canonical(
        self, build: Callable[[dict[str, Any]], Any], data: dict[str, Any], origin: Origin
    ) -> Any:
        """``build(data)``, turning a canonical validation error into problems at FHIR paths."""
        try:
            return build(data)
        except ValidationError as exc:
            for err in exc.errors():
                self.problem(origin.path(err["loc"]), err["msg"], _shown(err.get("input")))
            return None


class Origin:
    """Where each canonical field comes from in FHIR, to place a canonical validation error."""

    def __init__(
        self,
        root: str,
        fields: Mapping[str, str],
        children: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
        whole: str | None = None,
    ) -> None:
        self.root = root
        self.fields = fields
        self.children = children or {}
        # Where an error of the whole record (an end date before its start) is placed.
        self.whole = whole

    def path(self, loc: Sequence[int | str]) -> str:
        if not loc:
            return f"{self.root}.{self.whole}" if self.whole else self.root
        head = str(loc[0])
        if head in self.children and len(loc) > 1 and isinstance(loc[1], int):
            element, fields = self.children[head]
            base = f"{self.root}.{element}[{loc[1]}]"
            if len(loc) > 2 and str(loc[2]) in fields:
                return f"{base}.{fields[str(loc[2])]}"
            return base
        return f"{self.root}.{self.fields.get(head, head)}"


def _shown(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)[:80]


def loc_path(root: str, loc: Iterable[int | str]) -> str:
    """A pydantic error location as a FHIRPath-like path: ``Claim.item[0].quantity``."""
    text = root
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def head(items: Sequence[E] | None) -> E | None:
    """The first of ``items``, or None when there is none."""
    return items[0] if items else None


def npi_of(ref: Reference | None, ctx: Context) -> str | None:
    """The NPI of a provider reference: on the reference, or on what it resolves to."""
    if ref is None:
        return None
    found = identifier(ref.identifier, NPI)
    if found:
        return found
    target = (
        ctx.resolve(ref, Organization)
        or ctx.resolve(ref, Practitioner)
        or ctx.resolve(ref, Location)
        or ctx.resolve(ref, PractitionerRole)
    )
    if isinstance(target, PractitionerRole):
        return (
            identifier(target.identifier, NPI)
            or npi_of(target.practitioner, ctx)
            or npi_of(target.organization, ctx)
        )
    return identifier(target.identifier, NPI) if target is not None else None


def payer_id_of(ref: Reference | None, ctx: Context) -> str | None:
    """The payer id of a payer reference: its identifier (cleanclaim's payer-id system first),
    the resolved Organization's identifier or id, else the id at the end of the reference."""
    if ref is None:
        return None
    found = identifier(ref.identifier, ID_PAYER) or identifier(ref.identifier)
    org = ctx.resolve(ref, Organization)
    if found is None and org is not None:
        found = identifier(org.identifier, ID_PAYER) or identifier(org.identifier) or org.id
    if found is None and ref.reference:
        found = ref.reference.rsplit("/", 1)[-1].lstrip("#")
    return found


def procedure_of(product: CodeableConcept | None, path: str, ctx: Context) -> str | None:
    """The CPT/HCPCS code of a productOrService (a coding without system counts too); a
    concept coded only in other systems is a problem at ``path``."""
    found = codes(product, CPT, HCPCS) or [c for c in codes(product) if c.system is None]
    if found:
        return found[0].code
    if codes(product) and not codes(product, DATA_ABSENT_CODES):
        ctx.problem(path, f"no coding of system {CPT} or {HCPCS}")
    return None


ADDRESS_FIELDS: Final = ("address_line", "city", "state", "postal_code")
"""Canonical address fields, after a prefix (``patient_``, ``billing_``...)."""


def address_of(resource: Any, data: dict[str, Any], prefix: str) -> None:
    """Set ``{prefix}address_line`` ... ``{prefix}postal_code`` from ``resource.address[0]``."""
    address = getattr(resource, "address", None) if resource is not None else None
    if isinstance(address, list):
        address = head(address)  # a Location has one address, people and organizations many
    if address is None:
        return
    data[f"{prefix}address_line"] = head(address.line)
    data[f"{prefix}city"] = address.city
    data[f"{prefix}state"] = address.state
    data[f"{prefix}postal_code"] = address.postalCode


def address_json(record: Any, prefix: str) -> list[dict[str, Any]] | None:
    """``[Address]`` of the ``{prefix}address_line`` ... fields of ``record``, None if none."""
    line, city, state, postal = (getattr(record, f"{prefix}{f}") for f in ADDRESS_FIELDS)
    address = prune(
        {"line": [line] if line else None, "city": city, "state": state, "postalCode": postal}
    )
    return [address] if address else None


def person_name(resource: Any) -> tuple[str | None, str | None]:
    """(family, first given) of the first name of a Patient or Practitioner, else (None, None)."""
    name = head(getattr(resource, "name", None) or []) if resource is not None else None
    if name is None or isinstance(name, str):
        return None, None
    return name.family, head(name.given)


def codes(cc: CodeableConcept | None, *systems: str) -> list[Coding]:
    """Codings of ``cc`` with a code, in one of ``systems`` (any system when none given)."""
    if cc is None or not cc.coding:
        return []
    return [c for c in cc.coding if c.code and (not systems or c.system in systems)]


def first_code(cc: CodeableConcept | None, *systems: str) -> str | None:
    """The code of the first coding of ``cc`` in ``systems`` (any system when none given)."""
    found = codes(cc, *systems)
    return found[0].code if found else None


def identifier(
    idents: Iterable[Identifier] | Identifier | None, system: str | None = None
) -> str | None:
    """The value of the first identifier of ``system`` (of any system when None)."""
    if idents is None:
        return None
    if isinstance(idents, Identifier):
        idents = [idents]
    for ident in idents:
        if ident.value and (system is None or ident.system == system):
            return ident.value
    return None


def typed_identifier(idents: Iterable[Identifier] | None, type_code: str) -> str | None:
    """The value of the first identifier whose type is ``type_code`` (v2-0203, e.g. MB)."""
    for ident in idents or []:
        if ident.value and type_code in {c.code for c in codes(ident.type)}:
            return ident.value
    return None


def extensions(element: Any, url: str) -> list[Extension]:
    """The extensions of ``element`` with ``url``."""
    return [e for e in (getattr(element, "extension", None) or []) if e.url == url]


def ext(element: Any, url: str) -> Extension | None:
    """The first extension of ``element`` with ``url``."""
    found = extensions(element, url)
    return found[0] if found else None


def to_date(value: dt.date | dt.datetime | str | None) -> dt.date | None:
    """The calendar date of a FHIR date or dateTime (the date as written, no time zone shift)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None  # a partial date (year or year-month) is not a day of service


# Writing helpers: plain JSON structures, validated into models by the callers.


def fhir_id(value: str) -> str:
    """``value`` when it is a valid FHIR id, else a stable id derived from it."""
    if _ID.fullmatch(value):
        return value
    cleaned = re.sub(r"[^A-Za-z0-9\-.]", "-", value)[:48].strip("-") or "x"
    return f"{cleaned}-{_short_hash(value)}"


def _short_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:12]


def money(amount: Decimal) -> dict[str, Any]:
    return {"value": amount, "currency": "USD"}


def data_absent(reason: str = "unknown") -> dict[str, Any]:
    """An element (or ``_primitive``) that says why the value is missing."""
    return {"extension": [{"url": DATA_ABSENT_REASON, "valueCode": reason}]}


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [coding(system, code)]}


def member_identifier(member_id: str) -> dict[str, Any]:
    """An identifier typed MB (member number), as on the card."""
    return {"type": concept(IDENTIFIER_TYPE, "MB"), "value": member_id}


def relationship_json(x12: str) -> dict[str, Any]:
    """The X12 relationship code, and the nearest HL7 subscriber-relationship code."""
    return {
        "coding": [
            coding(X12_RELATIONSHIP, x12),
            coding(SUBSCRIBER_RELATIONSHIP, relationship_to_fhir(x12)),
        ]
    }


def relationship_of(concept_: CodeableConcept | None) -> str | None:
    """The X12 relationship code of a relationship concept (the X12 coding, else the HL7 one)."""
    found = first_code(concept_, X12_RELATIONSHIP)
    if found is None:
        fhir_code = first_code(concept_, SUBSCRIBER_RELATIONSHIP)
        found = relationship_from_fhir(fhir_code) if fhir_code else None
    return found


def prune(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without None values and empty lists (FHIR forbids empty elements)."""
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}
