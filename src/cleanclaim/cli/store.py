"""Commands over the store: schema upgrade and status, loading and exporting canonical batches."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from ..domain import ROOT_RECORDS
from ..errors import InputError
from ..standards.tabular import BatchFormat, find_batches, read_batch_files, write_batch_files
from ..store import (
    STORED_RECORDS,
    count_records,
    current_revision,
    head_revision,
    load_batch,
    read_batch,
)
from .common import DB_OPTION, JSON_OPTION, console, fail_cleanly, open_store, print_json

__all__ = ["db_app", "export", "load"]

db_app = typer.Typer(help="Create, upgrade and inspect the database.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(db: str | None = DB_OPTION) -> None:
    """Create the database or bring its schema up to date."""
    with fail_cleanly():
        engine = open_store(db)
    console.print(f"schema at revision {current_revision(engine)} on {engine.url!r}")


@db_app.command("status")
def status(db: str | None = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Schema revision and how many records of each kind are stored."""
    with fail_cleanly():
        engine = open_store(db)
        counts = {r.__table__: count_records(engine, r) for r in STORED_RECORDS}
    data = {
        "database": engine.url.render_as_string(hide_password=True),
        "revision": current_revision(engine),
        "head": head_revision(),
        "records": counts,
    }
    if as_json:
        print_json(data)
        return
    table = Table("record", "stored", title=f"{data['database']} @ {data['revision']}")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    console.print(table)


def load(
    folder: Path = typer.Argument(..., help="Folder of canonical CSV/Parquet batch files."),
    db: str | None = DB_OPTION,
    check: bool = typer.Option(False, "--check", help="Validate only; store nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Validate and store every canonical batch in FOLDER (idempotent: a batch loads once).

    Every batch is validated before anything is stored; one bad row refuses the whole load.
    """
    with fail_cleanly():
        models = find_batches(folder)
        if not models:
            raise InputError(f"{folder}: no canonical batch files (e.g. claims.csv)")
        batches = [read_batch_files(folder, m) for m in models]
        rows: list[dict[str, object]] = [
            {"record": b.model.__table__, "rows": len(b)} for b in batches
        ]
        if not check:
            engine = open_store(db)
            with Progress(console=console, transient=True, disable=as_json) as progress:
                task = progress.add_task("loading", total=len(batches))
                for batch, row in zip(batches, rows, strict=True):
                    result = load_batch(engine, batch, source=str(folder))
                    row.update(
                        batch_id=result.batch_id,
                        inserted=result.inserted,
                        skipped_existing=result.skipped_existing,
                        already_loaded=result.already_loaded,
                    )
                    progress.advance(task)
    if as_json:
        print_json({"folder": str(folder), "checked_only": check, "batches": rows})
        return
    table = Table(*rows[0].keys(), title=f"{'checked' if check else 'loaded'} {folder}")
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


def export(
    folder: Path = typer.Argument(..., help="Folder to write the batch files into."),
    record: list[str] = typer.Option(
        [], "--record", help="Record tables to export (default: all stored kinds)."
    ),
    fmt: BatchFormat = typer.Option(BatchFormat.CSV, "--format", help="csv or parquet"),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Write stored records back out as canonical batch files."""
    known = {r.__table__: r for r in ROOT_RECORDS}
    with fail_cleanly():
        unknown = [r for r in record if r not in known]
        if unknown:
            raise InputError(f"unknown record table(s) {unknown}; known: {sorted(known)}")
        engine = open_store(db)
        models = [known[r] for r in record] if record else list(STORED_RECORDS)
        written: dict[str, int] = {}
        for model in models:
            batch = read_batch(engine, model)
            if len(batch):
                write_batch_files(batch, folder, fmt)
                written[model.__table__] = len(batch)
    if as_json:
        print_json({"folder": str(folder), "records": written})
    else:
        console.print(f"wrote {written} to {folder}")
