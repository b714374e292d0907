"""FHIR R4 ``PractitionerRole`` to and from canonical :class:`Provider`: a provider as one payer
knows it, with its network status.

A person (NPI entity type 1) is the role's ``practitioner``, an organization (type 2) its
``organization``; writing puts that resource in ``contained`` so the role stands alone. R4 has
no element for participation in a payer's network (Da Vinci Plan-Net links a role to a network
Organization but cannot say "out of network"), so it travels in the cleanclaim extension
``network-participation`` (``payer`` identifier and ``status`` code), with the network dates in
``PractitionerRole.period``. A PractitionerRole without that extension only serves references.
"""

from __future__ import annotations

from typing import Any, Final

from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole

from ...domain import EntityType, Provider
from ._common import (
    Context,
    Origin,
    concept,
    ext,
    fhir_id,
    first_code,
    head,
    identifier,
    npi_of,
    prune,
    to_date,
    typed_identifier,
)
from .systems import EXT_NETWORK, ID_PAYER, NPI, NUCC_TAXONOMY, TAX_ID

__all__ = ["is_provider", "provider_from_fhir", "provider_to_fhir_json"]

_NETWORK: Final = f"extension({EXT_NETWORK})"
_NETWORK_PATH: Final = f"PractitionerRole.{_NETWORK}"
_PROVIDER_ORIGIN: Final = Origin(
    "PractitionerRole",
    {
        "payer_id": f"{_NETWORK}.extension(payer)",
        "network_status": f"{_NETWORK}.extension(status)",
        "npi": "practitioner",
        "entity_type": "practitioner",
        "name": "practitioner",
        "first_name": "practitioner",
        "taxonomy": "specialty",
        "tax_id": "practitioner",
        "state": "practitioner",
        "network_effective": "period.start",
        "network_termination": "period.end",
    },
    whole="period",
)


def is_provider(resource: PractitionerRole) -> bool:
    """Whether a PractitionerRole states network participation with a payer."""
    return ext(resource, EXT_NETWORK) is not None


def _part(found: Extension, url: str) -> Extension | None:
    return next((e for e in found.extension or [] if e.url == url), None)


def provider_from_fhir(resource: PractitionerRole, ctx: Context) -> Provider | None:
    """The canonical provider of a PractitionerRole (see :func:`is_provider`); None on problems."""
    data: dict[str, Any] = {}
    network = ext(resource, EXT_NETWORK)
    payer = _part(network, "payer") if network else None
    status = _part(network, "status") if network else None
    data["payer_id"] = identifier(payer.valueIdentifier) if payer else None
    if data["payer_id"] is None:
        ctx.problem(f"{_NETWORK_PATH}.extension(payer)", "no payer (valueIdentifier)")
    data["network_status"] = status.valueCode if status else None
    if data["network_status"] is None:
        ctx.problem(f"{_NETWORK_PATH}.extension(status)", "no network status (valueCode)")
    person = ctx.resolve(resource.practitioner, Practitioner)
    org = ctx.resolve(resource.organization, Organization)
    if resource.practitioner is not None:
        data["entity_type"] = EntityType.PERSON
        data["npi"] = npi_of(resource.practitioner, ctx)
        where = "PractitionerRole.practitioner"
    else:
        data["entity_type"] = EntityType.ORGANIZATION
        data["npi"] = npi_of(resource.organization, ctx)
        where = "PractitionerRole.organization"
    data["npi"] = data["npi"] or identifier(resource.identifier, NPI)
    if data["npi"] is None:
        ctx.problem(where, f"no NPI (identifier system {NPI})")
    target = person if resource.practitioner is not None else org
    _names(resource, person, org, data, where, ctx)
    if target is not None:
        data["tax_id"] = identifier(target.identifier, TAX_ID) or typed_identifier(
            target.identifier, "TAX"
        )
        address = head(target.address)
        data["state"] = address.state if address else None
    data["taxonomy"] = next(
        (first_code(s, NUCC_TAXONOMY) for s in resource.specialty or [] if first_code(s)),
        None,
    )
    if resource.period is not None:
        data["network_effective"] = to_date(resource.period.start)
        data["network_termination"] = to_date(resource.period.end)
    if ctx.problems:
        return None
    provider: Provider | None = ctx.canonical(Provider.model_validate, data, _PROVIDER_ORIGIN)
    return provider


def _names(
    resource: PractitionerRole,
    person: Practitioner | None,
    org: Organization | None,
    data: dict[str, Any],
    where: str,
    ctx: Context,
) -> None:
    if data["entity_type"] == EntityType.PERSON:
        name = head(person.name) if person else None
        data["name"] = name.family if name else None
        data["first_name"] = head(name.given) if name else None
        if data["name"] is None and resource.practitioner is not None:
            data["name"] = resource.practitioner.display
    else:
        data["name"] = (org.name if org else None) or (
            resource.organization.display if resource.organization else None
        )
    if data["name"] is None:
        ctx.problem(where, "no provider name (the resource's name, or the reference's display)")


def provider_to_fhir_json(provider: Provider) -> dict[str, Any]:
    """A PractitionerRole of a canonical provider, its Practitioner or Organization contained."""
    idents: list[dict[str, Any]] = [{"system": NPI, "value": provider.npi}]
    if provider.tax_id:
        idents.append({"system": TAX_ID, "value": provider.tax_id})
    address = [{"state": provider.state}] if provider.state else None
    person = provider.entity_type == EntityType.PERSON
    target = prune(
        {
            "resourceType": "Practitioner" if person else "Organization",
            "id": "provider",
            "identifier": idents,
            "name": [prune({"family": provider.name, "given": _given(provider.first_name)})]
            if person
            else provider.name,
            "address": address,
        }
    )
    reference = {
        "reference": "#provider",
        "identifier": {"system": NPI, "value": provider.npi},
    }
    return prune(
        {
            "resourceType": "PractitionerRole",
            "id": fhir_id(f"{provider.payer_id}-{provider.npi}"),
            "contained": [target],
            "extension": [
                {
                    "url": EXT_NETWORK,
                    "extension": [
                        {
                            "url": "payer",
                            "valueIdentifier": {"system": ID_PAYER, "value": provider.payer_id},
                        },
                        {"url": "status", "valueCode": provider.network_status.value},
                    ],
                }
            ],
            "active": True,
            "period": prune(
                {"start": provider.network_effective, "end": provider.network_termination}
            )
            or None,
            "practitioner": reference if person else None,
            "organization": None if person else reference,
            "specialty": [concept(NUCC_TAXONOMY, provider.taxonomy)] if provider.taxonomy else None,
        }
    )


def _given(first: str | None) -> list[str] | None:
    return [first] if first else None
