"""Renders the column-by-column reference of the canonical files (``docs/tabular.md``).

The reference is generated from the record declarations, and a test keeps the committed file
equal to it. Regenerate with ``python -m cleanclaim.standards.tabular.layout > docs/tabular.md``.
"""

from __future__ import annotations

from ...domain import ROOT_RECORDS
from ...domain.conform import LIST_SEPARATOR
from ...domain.schema import FieldSpec, TableSpec, table_specs

__all__ = ["render_layouts"]

_INTRO = f"""# Canonical batch files

A canonical batch of one record type is a folder holding one file per table, named after the
table: `claims.csv`, `claim_lines.csv`, `claim_diagnoses.csv` (or the same names with
`.parquet`). `cleanclaim load FOLDER` validates and stores every batch it finds in the folder;
`cleanclaim export FOLDER` writes stored records back in the same layout.

In CSV every cell is text: dates are `YYYY-MM-DD`, amounts plain decimals (`1234.50`, no
thousands separator, at most the scale's decimals), lists are joined by `{LIST_SEPARATOR}`
(`25{LIST_SEPARATOR}59`), an empty cell is no value. Parquet files use the Arrow types shown.
A child table repeats its parent's key columns; a child without a key of its own carries `seq`,
its 1-based position in the parent's list. Unknown columns are refused, so a misspelt header
cannot be silently ignored. One invalid cell refuses the whole load, with the file, the data row
(1 = the first row under the header) and the column named.

This page is generated from the record declarations in `src/cleanclaim/domain/`; do not edit
it by hand (see `cleanclaim.standards.tabular.layout`).
"""


def _type(col: FieldSpec) -> str:
    if col.kind == "enum":
        text = "one of " + ", ".join(f"`{v}`" for v in col.enum_values)
    elif col.decimal is not None:
        text = f"decimal({col.decimal.precision},{col.decimal.scale})"
    else:
        text = {"str": "text", "int": "integer", "float": "number", "date": "date",
                "bool": "true/false"}[col.kind]
    if col.max_length is not None and col.kind == "str":
        text += f", ≤{col.max_length} chars"
    if col.ge is not None or col.le is not None:
        text += f", {'' if col.ge is None else col.ge}..{'' if col.le is None else col.le}"
    if col.is_list:
        bound = f", ≤{col.list_max} values" if col.list_max is not None else ""
        text = f"list of {text}{bound}"
    return text


def _need(spec: TableSpec, col: FieldSpec) -> str:
    if col.name in spec.key:
        return "key"
    if col.required:
        return "required"
    if col.has_default:
        return f"default `{col.default}`"
    return "optional"


def _table(spec: TableSpec) -> list[str]:
    model = spec.model
    title = f"### `{spec.name}`"
    if spec.parent:
        title += f" (rows of `{spec.parent}`.{spec.field_name})"
    out = [title, "", (model.__doc__ or "").strip().splitlines()[0], ""]
    out += ["| column | type | need | meaning |", "| --- | --- | --- | --- |"]
    for col in spec.columns:
        info = model.model_fields.get(col.name)
        meaning = (info.description if info else None) or ""
        if info is None:
            meaning = "position in the parent's list" if col.name == "seq" else "parent's key"
        out.append(f"| `{col.name}` | {_type(col)} | {_need(spec, col)} | {meaning} |")
    return [*out, ""]


def render_layouts() -> str:
    """The Markdown reference of every canonical table."""
    lines = [_INTRO]
    for record in ROOT_RECORDS:
        lines += [f"## {record.__name__}", ""]
        for spec in table_specs(record):
            lines += _table(spec)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render_layouts(), end="")
