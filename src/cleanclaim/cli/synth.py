"""``cleanclaim synth``: build synthetic worlds from the command line (thin over synth)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cleanclaim.synth import DefectRates, WorldShape, stream_world

__all__ = ["app"]

app = typer.Typer(
    help="Synthetic worlds: members, plans, providers, authorizations and labelled claims.",
    no_args_is_help=True,
)


@app.callback()
def _synth() -> None:
    """Synthetic worlds whose truth is known, for demos, tests, benchmarks and training."""


@app.command("world")
def world(
    claims: int = typer.Option(10_000, "--claims", "-n", min=0, help="Number of claims."),
    seed: int = typer.Option(0, "--seed", "-s", help="Seed; the same seed gives the same world."),
    out: Path = typer.Option(..., "--out", "-o", help="Directory for the Parquet files."),
    denial_rate: float = typer.Option(
        0.12, "--denial-rate", min=0.0, max=0.9, help="Fraction of claims given a defect."
    ),
    chunk: int = typer.Option(
        100_000, "--chunk", min=1, help="Claims generated per chunk (memory bound)."
    ),
    eligibility_834: bool = typer.Option(
        True, "--834/--no-834", help="Also write each payer's enrolment as X12 834 files."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
) -> None:
    """Generate a world and write it as Parquet (one file per table) with labels and manifest.

    Each payer's enrolment is also written as X12 834 files under OUT/eligibility/.
    """
    console = Console(stderr=as_json)
    shape = WorldShape(chunk_claims=chunk)
    rates = DefectRates(denial_rate=denial_rate)
    with Progress(
        TextColumn("[bold]claims"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
        transient=True,
    ) as progress:
        task = progress.add_task("claims", total=claims)
        manifest = stream_world(
            seed,
            claims,
            out,
            rates=rates,
            shape=shape,
            progress=lambda done: progress.update(task, completed=done),
            eligibility_834=eligibility_834,
        )
    if as_json:
        typer.echo(json.dumps(manifest, indent=2))
        return
    _print_summary(console, manifest, out)


def _print_summary(console: Console, manifest: dict[str, object], out: Path) -> None:
    labels = manifest["labels"]
    counts = manifest["counts"]
    assert isinstance(labels, dict) and isinstance(counts, dict)
    console.print(
        f"[bold]{labels['claims']:,}[/] claims in {manifest.get('seconds', 0)} s -> {out}"
    )
    console.print(
        f"denied {labels['denied']:,} ({labels['denial_rate']:.1%}), "
        f"preventable {labels['preventable_share']:.1%} of denials"
    )
    table = Table("category", "share of denials")
    for name, share in labels["categories"].items():
        table.add_row(name, f"{share:.1%}")
    console.print(table)
    sizes = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    console.print(f"rows: {sizes}")
