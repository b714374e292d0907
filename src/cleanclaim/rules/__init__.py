"""The prevention engine: rules declared once with metadata, run vectorized over batches.

``scrub(batch, context)`` runs every applicable rule and returns every finding plus a decision
per claim; ``scrub_claim(claim, context)`` does the same for one claim in real time;
``scrub_stream(batches, context)`` scrubs any number of claims batch by batch. Rules live
in :mod:`.library` (one module per family) and in payer packs (YAML, :mod:`.packs`).
"""

from __future__ import annotations

from .api import FINDING_COLUMNS, NEEDS, Example, Rule, empty_findings, finding_frame
from .context import Context, ScrubContext
from .engine import OUTPUT_COLUMNS, ScrubResult, scrub, scrub_claim, scrub_one, scrub_stream
from .reference import Reference
from .registry import Registry, default_registry, register, rule, single

__all__ = [
    "FINDING_COLUMNS",
    "NEEDS",
    "OUTPUT_COLUMNS",
    "Context",
    "Example",
    "Reference",
    "Registry",
    "Rule",
    "ScrubContext",
    "ScrubResult",
    "default_registry",
    "empty_findings",
    "finding_frame",
    "register",
    "rule",
    "scrub",
    "scrub_claim",
    "scrub_one",
    "scrub_stream",
    "single",
]
