"""The ``cleanclaim`` command line. Thin: each command parses options and calls the library."""

from __future__ import annotations

import typer

from .. import __version__
from .adjudicate import adjudicate
from .demo import demo
from .fhir import app as fhir_app
from .refdata import app as refdata_app
from .scrub import scrub
from .store import db_app, export, load
from .synth import app as synth_app
from .x12 import app as x12_app

__all__ = ["app"]

app = typer.Typer(
    name="cleanclaim",
    help="Stop claim denials before they happen and resolve the ones that still do.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cleanclaim {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Stop claim denials before they happen and resolve the ones that still do."""


app.add_typer(db_app, name="db")
app.add_typer(x12_app, name="x12")
app.add_typer(fhir_app, name="fhir")
app.add_typer(refdata_app, name="refdata")
app.add_typer(synth_app, name="synth")
app.command()(demo)
app.command()(scrub)
app.command()(adjudicate)
app.command()(load)
app.command()(export)

