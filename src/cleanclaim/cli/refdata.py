"""``cleanclaim refdata``: what reference data is loaded, and importing official files. Thin."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..refdata import RefdataStore, RefKind
from .common import DB_OPTION, JSON_OPTION, console, fail_cleanly, open_store, print_json

__all__ = ["app"]

app = typer.Typer(
    help="Reference data (code sets, NCCI PTP/MUE/add-on code edits, age/sex edits, coverage "
    "policies): status, imports, copies into the database.",
    no_args_is_help=True,
)

DATA_DIR_OPTION: Any = typer.Option(
    None, "--data-dir", help="Data directory (default: CLEANCLAIM_DATA_DIR or the user's)."
)
_DATE_FORMATS = ["%Y-%m-%d"]


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@app.command("status")
def status(data_dir: Path | None = DATA_DIR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show every reference table in force, with its provenance and dates."""
    with fail_cleanly():
        store = RefdataStore(data_dir)
        report = store.status()
    if as_json:
        print_json({"data_dir": str(store.root), "kinds": report})
        return
    table = Table("kind", "release", "origin", "in force", "rows", "source",
                  title=f"reference data in {store.root}")
    for item in report:
        if not item["releases"]:
            table.add_row(item["kind"], "-", "not loaded", "", "", "")
        for rel in item["releases"]:
            origin = rel["origin"]
            if origin == "synthetic":
                origin = "[yellow]synthetic (not CMS)[/yellow]"
            elif origin == "derived":
                origin = "[cyan]derived (not the official list)[/cyan]"
            elif origin == "example":
                origin = "[yellow]example (not a real policy)[/yellow]"
            names = [f["name"] for f in rel["files"]]
            source = names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "") if names \
                else "built in"
            table.add_row(item["kind"], rel["release"], origin,
                          _window(rel["in_force_from"], rel["in_force_before"]),
                          f"{rel['row_count']:,}", source)
    console.print(table)


def _window(start: str | None, before: str | None) -> str:
    if start is None and before is None:
        return "any date"
    if before is None:
        return f"from {start}"
    return f"before {before}" if start is None else f"{start} to before {before}"


@app.command("import")
def import_(
    kind: RefKind = typer.Argument(..., help="What the files are.", case_sensitive=False),
    files: list[Path] = typer.Argument(..., help="The file(s) of one release (all PTP parts)."),
    release: str | None = typer.Option(
        None, "--release", help="Release label, e.g. 2026Q1 or FY2026 (sets the start date)."
    ),
    effective_from: datetime | None = typer.Option(
        None, "--effective-from", formats=_DATE_FORMATS, help="First day in force (YYYY-MM-DD)."
    ),
    effective_before: datetime | None = typer.Option(
        None, "--effective-before", formats=_DATE_FORMATS,
        help="First day no longer in force (YYYY-MM-DD); default: until the next release.",
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import one release of KIND from FILE(s); all-or-nothing, re-importing is a no-op."""
    with fail_cleanly():
        store = RefdataStore(data_dir)
        result = store.import_files(
            kind, files, release=release, effective_from=_day(effective_from),
            effective_before=_day(effective_before),
        )
    prov = result.provenance
    if as_json:
        print_json({
            "unchanged": result.unchanged,
            "replaced": result.replaced.version_id if result.replaced else None,
            "provenance": prov.model_dump(mode="json"),
        })
        return
    verb = "already loaded" if result.unchanged else "imported"
    console.print(
        f"{verb}: {prov.kind} release {prov.release} ({prov.origin}), {prov.row_count:,} rows, "
        f"in force from {prov.effective_from or 'the start'}"
        + (f" before {prov.effective_before}" if prov.effective_before else "")
    )


@app.command("synthetic")
def synthetic(
    folder: Path = typer.Argument(..., help="Folder to write the files into."),
    ptp_pairs: int = typer.Option(2_000_000, "--ptp-pairs", min=1, help="PTP pairs to write."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write SYNTHETIC PTP, MUE, add-on code and HCPCS files in the official layouts (not CMS
    data)."""
    from ..refdata.synthetic import (
        write_aoc_file,
        write_hcpcs_file,
        write_mue_file,
        write_ptp_files,
    )

    with fail_cleanly():
        written = {
            "ptp-practitioner": [str(p) for p in write_ptp_files(folder, ptp_pairs, seed=seed)],
            "mue-practitioner": [str(write_mue_file(folder / "synthetic-mue.csv", seed=seed))],
            "hcpcs": [str(write_hcpcs_file(folder / "synthetic-hcpcs.csv", seed=seed))],
            "aoc": [str(write_aoc_file(folder / "synthetic-aoc.csv", seed=seed))],
        }
    if as_json:
        print_json(written)
    else:
        for kind, paths in written.items():
            console.print(f"{kind}: {' '.join(paths)}")


@app.command("to-db")
def to_db(
    kind: str = typer.Argument(
        ..., help="A kind (ptp-practitioner, aoc...) or a table (ptp, mue: every setting)."
    ),
    setting: str | None = typer.Option(
        None, "--setting", help="With a table name: practitioner, hospital, facility or dme."
    ),
    db: str | None = DB_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Copy the releases in force of KIND into the database table ref_<kind>, in one transaction."""
    from ..store.reference import load_reference, loaded_releases, reference_table_name

    with fail_cleanly():
        store = RefdataStore(data_dir)
        table = reference_table_name(kind, setting)
        engine = open_store(db)
        try:
            rows = load_reference(engine, kind, setting=setting, store=store)
            releases = loaded_releases(engine, table)
        finally:
            engine.dispose()
    if as_json:
        print_json({"table": table, "rows": rows,
                    "releases": [{"release": r.release, "origin": r.origin,
                                  "version_id": r.version_id, "sha256": r.sha256,
                                  "rows": r.rows} for r in releases]})
        return
    names = ", ".join(f"{r.release} ({r.origin})" for r in releases) or "none"
    console.print(f"{table}: {rows:,} rows; releases {names}")
