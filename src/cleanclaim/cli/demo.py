"""``cleanclaim demo``: the whole pipeline that exists today, on a synthetic world."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..config import settings
from ..pipeline import STAGES, run_demo
from .common import DB_OPTION, JSON_OPTION, console, fail_cleanly, print_json

__all__ = ["demo"]


def demo(
    claims: int = typer.Option(10_000, "--claims", min=1, help="Claims in the synthetic world."),
    seed: int = typer.Option(42, "--seed", help="Seed of the synthetic world."),
    db: str | None = DB_OPTION,
    out: Path = typer.Option(Path("demo-out"), "--out", help="Folder for summary.json and files."),
    rework_cost: float = typer.Option(
        50.0, "--rework-cost", min=0, help="Cost of working one denial, in dollars."
    ),
    clean_claim_cost: float = typer.Option(
        15.0, "--clean-claim-cost", min=0, help="Cost of processing one claim, in dollars."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Build a synthetic world and run it through every stage built so far.

    Writes OUT/summary.json; uses the embedded SQLite database unless --db is given.
    """
    with fail_cleanly(), Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=console, transient=True, disable=as_json,
    ) as progress:
        task = progress.add_task("starting", total=len(STAGES))

        def step(stage: str) -> None:
            progress.update(task, description=stage, advance=0 if stage == STAGES[0] else 1)

        summary = run_demo(
            claims=claims, seed=seed, db_url=db or settings().resolved_database_url(), out=out,
            rework_cost=rework_cost, clean_claim_cost=clean_claim_cost, progress=step,
        )
    if as_json:
        print_json(summary)
        return
    table = Table("stage", "seconds", title=f"cleanclaim demo: {claims:,} claims, seed {seed}")
    for stage, seconds in summary["seconds"].items():
        table.add_row(stage, f"{seconds:.2f}")
    for stage in summary["stages"]["pending"]:
        table.add_row(f"[dim]{stage}[/dim]", "[dim]not built yet[/dim]")
    console.print(table)
    x12, store = summary["x12"], summary["store"]
    console.print(
        f"837 round trip: {x12['claims_equal_after_round_trip']:,}/{claims:,} claims equal, "
        f"{x12['validation_problems']} validation problems; store round trip equal: "
        f"{store['claims_equal_after_reading_back']}; reload added "
        f"{store['second_load_inserted']} rows."
    )
    console.print(
        f"denial rate as billed {summary['denial_rate_without_prevention']:.1%}, "
        f"after prevention {summary['denial_rate_with_prevention']:.1%}: "
        f"{summary['denials_prevented']:,} denials prevented, "
        f"${summary['rework_cost_avoided']:,.0f} of rework avoided "
        f"(held claims taken as corrected before submission)."
    )
    console.print(f"summary: {out / 'summary.json'}")
