"""``cleanclaim adjudicate``: answer claims as the synthetic world's payer would.

Thin: reading the submission, adjudicating and writing the answers live in
:mod:`cleanclaim.synth.submission` and :mod:`cleanclaim.synth.adjudicate`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..synth.adjudicate import PayerSimulator
from ..synth.payer import PayerContext
from ..synth.submission import read_submission, write_answers
from .common import JSON_OPTION, console, fail_cleanly, print_json

__all__ = ["adjudicate"]


def adjudicate(
    inputs: list[Path] = typer.Argument(
        ..., help="837 files, or canonical claims (a folder with claims.parquet/.csv, or the file)."
    ),
    world: Path = typer.Option(..., "--world", help="Folder of a world written by `synth world`."),
    out: Path = typer.Option(..., "--out", help="Folder for the 835, acknowledgments, summary."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Answer claims as the synthetic world's payers would (835, 277CA, 999).

    Writes OUT/remittance.835, 277ca.x12 (and 277ca.jsonl), a .999 per 837 received (and
    999.jsonl), outcomes.parquet and summary.json, and prints the summary.
    """
    with fail_cleanly():
        began = time.perf_counter()
        payer = PayerSimulator(PayerContext.from_dir(world))
        submission = read_submission(inputs)
        result = payer.adjudicate(submission.claims)
        summary = write_answers(result, submission, out)
        summary["seconds"] = round(time.perf_counter() - began, 3)
    if as_json:
        print_json(summary)
        return
    _print(summary, out)


def _print(summary: dict[str, Any], out: Path) -> None:
    files = summary["files"]
    console.print(
        f"[bold]{summary['claims']:,}[/] claims from {files['received']} input(s) "
        f"({files['rejected']} refused by 999) in {summary['seconds']} s -> {out}"
    )
    console.print(
        f"rejected {summary['rejected']:,}, paid {summary['paid']:,}, "
        f"partly paid {summary['partly_paid']:,}, denied {summary['denied']:,}; "
        f"denial rate {summary['denial_rate']:.1%}"
    )
    table = Table("category", "share of denials")
    for name, share in summary["categories"].items():
        table.add_row(name, f"{share:.1%}")
    console.print(table)
    carcs = Table("CARC", "claims")
    for code, count in summary["carcs"].items():
        carcs.add_row(code, f"{count:,}")
    console.print(carcs)
