"""What every command shares: the console, the database option, errors as exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TextIO

import typer
from rich.console import Console
from sqlalchemy.engine import Engine

from ..config import settings
from ..domain import Record
from ..errors import CleanclaimError, InputError
from ..store import make_engine, migrate

__all__ = [
    "DB_OPTION",
    "JSON_OPTION",
    "console",
    "err_console",
    "exit_unreadable",
    "fail_cleanly",
    "open_store",
    "print_json",
    "record_line",
    "report_problems",
    "write_record_lines",
]

console = Console()
err_console = Console(stderr=True)

DB_OPTION: Any = typer.Option(
    None,
    "--db",
    help="Database URL (default: CLEANCLAIM_DATABASE_URL, else the embedded SQLite file).",
)
JSON_OPTION: Any = typer.Option(False, "--json", help="Print a JSON summary instead of text.")


def open_store(url: str | None) -> Engine:
    """An engine on ``url`` (or the configured default), migrated to the current schema."""
    engine = make_engine(url or settings().resolved_database_url())
    migrate(engine)
    return engine


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on standard output (no colour, no wrapping)."""
    typer.echo(json.dumps(data, indent=2, default=str))


@contextmanager
def fail_cleanly() -> Iterator[None]:
    """Turn a refused input into exit code 2 and a store problem into 1, with the message."""
    try:
        yield
    except InputError as exc:
        # Plain text, never wrapped: users copy file paths and positions out of it.
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except CleanclaimError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc



def record_line(record: Record, names: dict[type[Record], str]) -> str:
    """One JSON Lines line of a parsed record: its type (``names``), then its fields."""
    data = {"record": names.get(type(record), type(record).__name__)}
    data.update(record.model_dump(mode="json"))
    return json.dumps(data, separators=(",", ":")) + "\n"


def exit_unreadable(message: str) -> typer.Exit:
    """Print ``error: message`` on standard error; the exit (code 2) for the caller to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def report_problems(
    source: Path, problems: Sequence[Any], *, as_json: bool, line: Callable[[Any], str] = str
) -> None:
    """Print a validator's problems (each with ``as_dict()``), as text lines or one JSON
    document; exit code 1 when there is any."""
    if as_json:
        typer.echo(json.dumps(
            {"source": str(source), "valid": not problems,
             "problems": [p.as_dict() for p in problems]},
            indent=2,
        ))
    elif problems:
        for problem in problems:
            typer.echo(line(problem))
        typer.echo(f"{len(problems)} problem(s) in {source}")
    else:
        typer.echo(f"{source}: no problems found")
    if problems:
        raise typer.Exit(1)


def write_record_lines(
    records: Callable[[], Iterable[Record]],
    names: dict[type[Record], str],
    out: Path | None,
    unreadable: tuple[type[Exception], ...],
) -> None:
    """Write the records ``records()`` reads as JSON Lines to ``out`` (standard output when
    None); a parse error of the kinds in ``unreadable``, raised while opening or reading, ends
    the command with exit code 2."""
    count = 0
    with ExitStack() as stack:
        stream: TextIO = stack.enter_context(out.open("w", encoding="utf-8")) if out else sys.stdout
        try:
            for record in records():
                stream.write(record_line(record, names))
                count += 1
        except unreadable as exc:
            raise exit_unreadable(str(exc)) from None
    if out is not None:
        typer.echo(f"{count} record(s) written to {out}", err=True)
