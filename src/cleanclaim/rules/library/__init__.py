"""The rule library, one module per family; importing this package registers every rule."""

from . import administrative, authorization, coding, eligibility, ncci

__all__ = ["administrative", "authorization", "coding", "eligibility", "ncci"]
