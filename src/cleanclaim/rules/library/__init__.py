"""The rule library, one module per family; importing this package registers every rule."""

from . import (
    administrative,
    agesex,
    authorization,
    coding,
    coverage,
    duplicates,
    eligibility,
    ncci,
)

__all__ = [
    "administrative",
    "agesex",
    "authorization",
    "coding",
    "coverage",
    "duplicates",
    "eligibility",
    "ncci",
]
