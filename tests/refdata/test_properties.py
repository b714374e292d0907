"""Property test: any PTP file in the official layout reads back exactly what was written."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cleanclaim.refdata import RefKind, parse_files

from .files import PTP_HEADER

codes = st.from_regex(r"[0-9A-Z]{5}", fullmatch=True)
days = st.dates(min_value=date(1996, 1, 1), max_value=date(2030, 12, 31))
rationales = st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "Zs", "P"]),
                     max_size=40).map(str.strip)


@st.composite
def ptp_rows(draw: st.DrawFn) -> tuple[str, str, bool, date, date | None, int, str | None]:
    effective = draw(days)
    gap = draw(st.none() | st.integers(min_value=0, max_value=4000))
    deletion = None if gap is None else effective + timedelta(days=gap)
    text = draw(rationales)
    return (draw(codes), draw(codes), draw(st.booleans()), effective, deletion,
            draw(st.sampled_from([0, 1, 9])), text or None)


def _cell(value: str, sep: str) -> str:
    if sep in value or '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return value


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(ptp_rows(), min_size=1, max_size=30),
    sep=st.sampled_from(["\t", ","]),
    notices=st.lists(st.sampled_from([
        "CPT only copyright 2025 American Medical Association. All rights reserved.",
        '"CPT codes, descriptions and other data, copyright AMA"',
        '"a notice cell\nspread over two lines"',
        "",
    ]), min_size=1, max_size=3),
)
def test_ptp_round_trip(
    rows: list[tuple[str, str, bool, date, date | None, int, str | None]],
    sep: str,
    notices: list[str],
) -> None:
    lines = [*notices, sep.join(_cell(h, sep) for h in PTP_HEADER)]
    for c1, c2, pre, eff, dele, mod, why in rows:
        cells = [c1, c2, "*" if pre else "", eff.strftime("%Y%m%d"),
                 dele.strftime("%Y%m%d") if dele else "*", str(mod), why or ""]
        lines.append(sep.join(_cell(c, sep) for c in cells))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ptp.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        frame = parse_files(RefKind.PTP_PRACTITIONER, [path]).frame
    expected = list(dict.fromkeys(rows))  # exact duplicate rows collapse
    assert frame.rows() == expected
