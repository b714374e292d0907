"""The defects the synthetic world injects, their ground-truth labels and the default mix.

Each defect is a concrete way a claim goes wrong against the world (its coverages, plans,
providers, authorizations and code tables), with the category, CARC (and RARC where a standard
one fits) a payer would answer with, whether a pre-submission check could have known it, and
whether it is refused at the front end (``reject``) or denied in adjudication (``deny``).

The default weights follow DOMAIN.md: about 12% of claims are denied; of the denials about 25%
are eligibility/registration (with COB), 15% missing or invalid data, 12% authorization, 6%
medical necessity, and the rest coding, bundling, non-covered services, duplicates and timely
filing. About 7% of denials are payer decisions no check could foresee (``preventable=False``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cleanclaim.domain import DenialCategory, Severity

__all__ = ["DEFECTS", "DefectRates", "DefectSpec", "default_weights"]


@dataclass(frozen=True, slots=True)
class DefectSpec:
    """What one injected defect means: category, expected answer, preventability."""

    name: str
    category: DenialCategory
    carc: str
    weight: float
    preventable: bool = True
    severity: Severity = Severity.DENY
    rarc: str | None = None
    line_level: bool = False


_E, _C = DenialCategory.ELIGIBILITY, DenialCategory.COVERAGE
_REJECT = Severity.REJECT

DEFECTS: tuple[DefectSpec, ...] = (
    # Eligibility and registration (25%).
    DefectSpec("coverage_terminated", _E, "27", 0.08),
    DefectSpec("coverage_not_started", _E, "26", 0.02),
    DefectSpec("unknown_member_id", _E, "31", 0.05),
    DefectSpec("demographic_mismatch", _E, "31", 0.05),
    DefectSpec("wrong_payer", _E, "109", 0.02),
    DefectSpec("other_payer_primary", DenialCategory.COB, "22", 0.03, rarc="MA04"),
    # Missing or invalid claim data (15%).
    DefectSpec("missing_required_field", DenialCategory.MISSING_INFORMATION, "16", 0.06,
               severity=_REJECT, rarc="MA130"),
    DefectSpec("invalid_npi", DenialCategory.MISSING_INFORMATION, "16", 0.04, severity=_REJECT),
    DefectSpec("invalid_diagnosis_pointer", DenialCategory.MISSING_INFORMATION, "16", 0.03,
               severity=_REJECT, rarc="M76", line_level=True),
    DefectSpec("frequency_code_misuse", DenialCategory.MISSING_INFORMATION, "16", 0.02,
               severity=_REJECT),
    # Prior authorization (12%).
    DefectSpec("missing_prior_auth", DenialCategory.AUTHORIZATION, "197", 0.05, line_level=True),
    DefectSpec("expired_auth", DenialCategory.AUTHORIZATION, "15", 0.03, line_level=True),
    DefectSpec("auth_wrong_code", DenialCategory.AUTHORIZATION, "15", 0.02, line_level=True),
    DefectSpec("auth_denied", DenialCategory.AUTHORIZATION, "39", 0.01, line_level=True),
    DefectSpec("auth_units_exhausted", DenialCategory.AUTHORIZATION, "198", 0.01,
               line_level=True),
    # Medical necessity (6%), part of it a reviewer's judgement no edit can predict.
    DefectSpec("dx_not_supporting", DenialCategory.MEDICAL_NECESSITY, "50", 0.04,
               line_level=True),
    DefectSpec("medical_necessity_review", DenialCategory.MEDICAL_NECESSITY, "50", 0.02,
               preventable=False),
    # Coding (15%).
    DefectSpec("invalid_icd", DenialCategory.CODING, "146", 0.02, rarc="M76"),
    DefectSpec("non_billable_icd", DenialCategory.CODING, "146", 0.04, rarc="M76"),
    DefectSpec("deleted_procedure", DenialCategory.CODING, "181", 0.02, rarc="M51",
               line_level=True),
    DefectSpec("units_above_mue", DenialCategory.CODING, "151", 0.03, line_level=True),
    DefectSpec("age_conflict", DenialCategory.CODING, "6", 0.02, line_level=True),
    DefectSpec("sex_conflict", DenialCategory.CODING, "7", 0.02, line_level=True),
    # Bundling (6%).
    DefectSpec("ncci_unbundled", DenialCategory.BUNDLING, "97", 0.06, line_level=True),
    # Non-covered services (7%).
    DefectSpec("excluded_service", _C, "96", 0.04, rarc="N130", line_level=True),
    DefectSpec("benefit_limit_exceeded", _C, "119", 0.03, line_level=True),
    # Duplicates and timely filing (9%).
    DefectSpec("duplicate_claim", DenialCategory.DUPLICATE, "18", 0.05),
    DefectSpec("late_filing", DenialCategory.TIMELY_FILING, "29", 0.04),
    # Payer decisions nobody could have foreseen (5%).
    DefectSpec("payer_discretion", DenialCategory.OTHER, "252", 0.03, preventable=False),
    DefectSpec("policy_change", _C, "96", 0.02, preventable=False, rarc="N130"),
)
"""Every defect the generator knows, with its default share of denials."""

_BY_NAME = {d.name: d for d in DEFECTS}


def default_weights() -> Mapping[str, float]:
    """The default share of each defect among denied claims (sums to 1)."""
    return MappingProxyType({d.name: d.weight for d in DEFECTS})


@dataclass(frozen=True)
class DefectRates:
    """How often claims go wrong, and how.

    ``denial_rate`` is the fraction of claims that get one defect; ``weights`` (defect name ->
    relative weight, normalized here) says which. Omitted defects keep their default weight;
    weight 0 switches a defect off.
    """

    denial_rate: float = 0.12
    weights: Mapping[str, float] = field(default_factory=default_weights)

    def __post_init__(self) -> None:
        if not 0.0 <= self.denial_rate <= 0.9:
            raise ValueError(f"denial_rate must be within [0, 0.9], got {self.denial_rate}")
        unknown = set(self.weights) - set(_BY_NAME)
        if unknown:
            raise ValueError(f"unknown defect(s): {', '.join(sorted(unknown))}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("defect weights must not be negative")
        if self.denial_rate > 0 and self.total_weight() <= 0:
            raise ValueError("at least one defect needs a positive weight")

    def total_weight(self) -> float:
        return sum(self.weight(d.name) for d in DEFECTS)

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, _BY_NAME[name].weight))

    def probabilities(self) -> list[float]:
        """Share of each defect of :data:`DEFECTS` among defective claims, in that order."""
        total = self.total_weight()
        if total <= 0:
            return [0.0 for _ in DEFECTS]
        return [self.weight(d.name) / total for d in DEFECTS]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form for the manifest."""
        probs = self.probabilities()
        return {
            "denial_rate": self.denial_rate,
            "defect_shares": {d.name: round(p, 6) for d, p in zip(DEFECTS, probs, strict=True)},
        }
