"""Small files in the exact official layouts, written by the tests."""

from __future__ import annotations

from pathlib import Path

AMA_NOTICE = (
    "CPT only copyright 2025 American Medical Association. All rights reserved."
)
PTP_HEADER = [
    "Column 1", "Column 2", "*=in existence prior to 1996", "Effective Date",
    "Deletion Date *=no data", "Modifier 0=not allowed 1=allowed 9=not applicable",
    "PTP Edit Rationale",
]


def write_text(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ptp_tab(path: Path, rows: list[list[str]], *, preamble: list[str] | None = None) -> Path:
    """A PTP text file as CMS ships it: notice line(s), header, tab-separated rows."""
    lines = [AMA_NOTICE] if preamble is None else preamble
    return write_text(path, [*lines, "\t".join(PTP_HEADER), *["\t".join(r) for r in rows]])


def order_line(order: int, code: str, billable: str, short: str, long: str) -> str:
    """One record of icd10cm_order_YYYY.txt (5 + 1 + 7 + 1 + 1 + 1 + 60 + 1 + long)."""
    return f"{order:05d} {code:<7} {billable} {short:<60} {long}"
