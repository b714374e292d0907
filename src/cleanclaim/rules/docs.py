"""Render the rules reference (``docs/rules.md``) from the registry and the rules' examples.

``python -m cleanclaim.rules.docs > docs/rules.md``; a test checks the committed file is current.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from ..domain import ClaimType
from .api import NEEDS, Example, Rule
from .examples import BASE_CLAIM, BASE_LINE
from .packs import bundled_packs
from .registry import Registry, default_registry

__all__ = ["render"]

_INTRO = """\
# Rules reference

Generated from the rule registry by `python -m cleanclaim.rules.docs > docs/rules.md`; do not
edit by hand. Every rule is declared once (`cleanclaim.rules`) with two evaluations of the same
check: a Polars plan, run vectorized over a batch of claims, and a one-claim kernel, run on one
claim in real time (`scrub_claim`) without the millisecond a plan costs however few its rows.
The tests scrub every example below and a synthetic world claim by claim both ways and require
the same findings, column for column (`tests/rules/test_single.py`); a rule without a kernel
(e.g. one registered by a caller) runs its plan on the one claim. Each example below runs as a
test (`tests/rules/test_examples.py`).

**Severity**: `reject` = the claim will bounce at the payer's front end (999/277CA);
`deny` = it will be denied in adjudication; `warn` = a risk worth a look. A claim with any reject
or deny finding is **held**; otherwise it is submitted (warnings travel with it).

**Context**: a rule that needs context the run does not have (members, coverages, payers,
reference tables...) is skipped, and the scrub summary lists it with what was missing.
CARC/RARC are the codes a payer would most likely answer with; descriptions of the codes are in
the bundled tables of `cleanclaim.refdata`.

**Examples** are written as changes to one clean example claim (`cleanclaim.rules.examples`),
scrubbed against one small example context: payer PAY01 (timely filing 90 days, member IDs
`^[A-Z]{3}[0-9]{6}$`), plan PLAN1 (excludes 97810, prior auth for 72148, 4 therapy units a
visit), member ABC123456 = ANA LOPEZ born 1980-05-04, covered 2025-01-01 to 2025-06-30; member
XYZ000111 (BEN KING) secondary at PAY01, primary at PAY02; authorizations AUTH-OK (72148,
March-April 2025, 1 unit), AUTH-DENIED, AUTH-OLD (ended February), AUTH-USED (no units left),
AUTH-KNEE (73721); claim H-1 in history (the same visit on 2025-02-10); ICD-10-CM rows in force
for FY2025 only.

## Command line

```
cleanclaim scrub INPUT... [--format x12|fhir|csv|parquet] [--context DIR] [--as-of DATE]
                          [--out FILE] [--packs PATH]... [--json] [--chunk-size N]
                          [--save] [--db URL]
```

INPUT is an X12 837 file, FHIR Claim resources (Bundle `.json` or `.ndjson`, through
`cleanclaim.standards.fhir`), or canonical claim files (`claims.csv` + `claim_lines.csv` +
`claim_diagnoses.csv`, or `.parquet`; a folder or its `claims` file). Findings are written as
JSON Lines, one a line, with `claim_id`, `rule_id`, `severity`, `category`, `carc`, `rarc`,
`line` (null for the claim), `message`, `fix` and `repair` (a `field=value` change suggested
only where it is certain and safe, e.g. the total charge; never applied). The summary (claims,
clean, held, findings by rule, rules skipped and the context they lacked) goes to standard error,
or to standard output with `--out`. `--context DIR` reads `members`, `coverages`, `plans`
(+ `plan_limits`), `payers`, `providers`, `authorizations` and `claims` (history) as canonical
CSV/Parquet, X12 834 enrolment files (`*.834`, `*.x12`, `*.edi`) and `ref_*` code tables (see
`Reference.from_tables`). Reference data comes from the refdata store (`cleanclaim refdata`).
Exit code 0 even with findings; 2 when an input cannot be read (the message names the file,
row or segment, and the cause) or a claim ID repeats an earlier claim's.

In Python: `scrub(batch, Context.from_batches(...))` returns a `ScrubResult` (`findings`,
`decisions`, `summary()`); `scrub_claim(claim, context)` returns the findings of one claim,
`scrub_one(claim, context)` its `ScrubResult` (with `plans=True`, through the plans instead of
the kernels); `scrub_stream(batches, context)` scrubs chunk after chunk.
"""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value) if hasattr(value, "value") else value


def _changes(ex: Example) -> str:
    parts = []
    if ex.claim:
        parts.append(f"claim `{json.dumps(_plain(dict(ex.claim)))}`")
    if ex.lines is not None:
        parts.append(f"lines `{json.dumps(_plain([dict(x) for x in ex.lines]))}`")
    if ex.diagnoses is not None:
        parts.append(f"diagnoses `{json.dumps(list(ex.diagnoses))}`")
    return "; ".join(parts) or "the example claim as is"


def _types(r: Rule) -> str:
    if r.claim_types == frozenset(ClaimType):
        return "all"
    return ", ".join(sorted(t.value for t in r.claim_types))


def _section(r: Rule) -> list[str]:
    codes = " / ".join(c for c in (r.carc, r.rarc) if c) or "-"
    out = [
        f"### `{r.id}` — {r.title}",
        "",
        r.description.replace("\n    ", " ").replace("\n", " "),
        "",
        f"- severity **{r.severity.value}**, category `{r.category.value}`, CARC/RARC {codes}",
        f"- claim types: {_types(r)}; needs: "
        + (", ".join(NEEDS[n] for n in sorted(r.needs)) or "the claim only"),
        f"- source: {r.source}",
        f"- fix: {r.fix}",
        "- examples:",
    ]
    for ex in r.examples:
        verdict = "**found**" + (f" on line {ex.line}" if ex.line else "") if ex.fails \
            else "passes"
        out.append(f"  - {ex.title}: {verdict} — {_changes(ex)}")
    out.append("")
    return out


def _family(rule_id: str) -> str:
    return rule_id.split(".", 1)[0]


_FAMILIES = {
    "elig": "Eligibility", "cov": "Coverage and benefits", "code": "Coding",
    "auth": "Prior authorization", "adm": "Administrative",
}


def render(registry: Registry | None = None, packs: list[Rule] | None = None) -> str:
    """The whole reference as Markdown."""
    library = list(registry or default_registry())
    pack_rules = bundled_packs() if packs is None else packs
    lines = [_INTRO, "## Summary", "",
             "| rule | title | severity | category | CARC | RARC |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in [*library, *pack_rules]:
        lines.append(f"| `{r.id}` | {r.title} | {r.severity.value} | {r.category.value} | "
                     f"{r.carc or ''} | {r.rarc or ''} |")
    lines.append("")
    lines.append(f"The example claim: header `{json.dumps(_plain(BASE_CLAIM))}`, diagnoses "
                 f"E11.9, I10, one line `{json.dumps(_plain(BASE_LINE))}`.")
    lines.append("")
    families: dict[str, list[Rule]] = {}
    for r in library:
        families.setdefault(_family(r.id), []).append(r)
    for fam, rules in families.items():
        lines += [f"## {_FAMILIES.get(fam, fam)}", ""]
        for r in rules:
            lines += _section(r)
    if pack_rules:
        lines += ["## Payer rule packs (bundled examples)", "",
                  "Declarative YAML in `src/cleanclaim/rules/packs/` (format in "
                  "`cleanclaim.rules.packs`); each rule applies only to its payer's claims with "
                  "a date of service in the pack's window. Examples run against the example "
                  "claim sent to the pack's payer.", ""]
        for r in pack_rules:
            lines += _section(r)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
