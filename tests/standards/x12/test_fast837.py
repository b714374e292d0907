"""The C fast path of the 837 batch reader gives what the Python path gives: batches or error.

Each test reads a file both ways: ``iter_claim_batches`` (the fast path, which falls back to
the Python path on anything it does not vouch for) and the Python batch path alone, and
compares the batches (every table equal) or the X12ParseError (message, segment, segment id,
element, value). When the extension is not built these tests skip, unless
``CLEANCLAIM_REQUIRE_FAST837=1`` (CI), where they fail instead.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanclaim.domain import Claim, ClaimType
from cleanclaim.domain.schema import Batch, records_from_batch
from cleanclaim.standards.x12 import (
    WriteOptions,
    X12ParseError,
    fast837,
    format_837,
    iter_claim_batches,
    parse_claim_batch,
    write_837,
)
from cleanclaim.standards.x12 import batch as batch_module
from cleanclaim.standards.x12.tokenizer import Source, rereadable

from .factories import make_claims
from .samples import (
    INSTITUTIONAL,
    PROFESSIONAL,
    interchange,
    largest_professional,
    render,
    sample,
)
from .test_fuzz import edit, mangle

REQUIRED = os.environ.get("CLEANCLAIM_REQUIRE_FAST837") == "1"
pytestmark = pytest.mark.skipif(
    not fast837.available() and not REQUIRED,
    reason="the _fast837 extension is not built (set CLEANCLAIM_REQUIRE_FAST837=1 to fail)",
)

OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 1, 10, 15))
Outcome = tuple[list[Batch], tuple[Any, ...] | None]


def _collect(batches: Iterator[Batch]) -> Outcome:
    """The batches given before the error, and the error's description (None: no error)."""
    got: list[Batch] = []
    try:
        for batch in batches:
            got.append(batch)
    except X12ParseError as exc:
        return got, (str(exc), exc.segment, exc.segment_id, exc.element, exc.problem.value)
    return got, None


def _fast(source: Source, per_batch: int) -> Outcome:
    return _collect(iter_claim_batches(source, claims_per_batch=per_batch))


def _python(source: Source, per_batch: int) -> Outcome:
    return _collect(batch_module._python_batches(rereadable(source), per_batch))


def _assert_same(source: Source, per_batch: int = batch_module.CLAIMS_PER_BATCH) -> Outcome:
    fast, python = _fast(source, per_batch), _python(source, per_batch)
    assert fast[1] == python[1]
    assert len(fast[0]) == len(python[0])
    for ours, theirs in zip(fast[0], python[0], strict=True):
        assert list(ours.tables) == list(theirs.tables)
        for name, table in theirs.tables.items():
            assert ours.tables[name].schema == table.schema, name
            assert ours.tables[name].equals(table), name
    return fast


def _taken(source: Source, per_batch: int = batch_module.CLAIMS_PER_BATCH) -> list[Batch]:
    """The batches of a file the fast path reads whole (fails if it fell back)."""
    before = dict(fast837.counts)
    batches, error = _fast(source, per_batch)
    assert error is None
    assert fast837.last_bailout[0] is None
    assert fast837.counts["python"] == before["python"]
    assert fast837.counts["fast"] == before["fast"] + len(batches)
    return batches


def _body(*changes: tuple[str, str], base: list[str] = PROFESSIONAL) -> list[str]:
    body = list(base)
    for old, new in changes:
        index = next(i for i, s in enumerate(body) if s.startswith(old))
        body[index] = new
    return body


def _one(body: list[str], version: str = "005010X222A1") -> str:
    return render(interchange([("HC", version, [body])]))


# -- the extension is there and runs -------------------------------------------------------


def test_the_extension_is_built_and_agrees_with_the_layout() -> None:
    assert fast837.available()
    assert fast837.enabled()


@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_a_clean_file_is_read_by_the_fast_path(kind: str) -> None:
    text = sample(kind)
    (batch,) = _taken(text)
    assert len(batch) == (3 if kind == "837P" else 1)
    _assert_same(text)


def test_generated_files_are_read_by_the_fast_path_as_paths_bytes_and_text(
    tmp_path: Path,
) -> None:
    text = format_837(make_claims(40, 5), OPTIONS)
    path = tmp_path / "claims.837"
    path.write_text(text, encoding="ascii")
    for source in (path, text.encode(), text):
        batches = _taken(source, 16)
        assert [len(b) for b in batches] == [16, 16, 8]
    assert records_from_batch(parse_claim_batch(path, claims_per_batch=7)) == [
        c for b in _python(text, 40)[0] for c in records_from_batch(b)
    ]


def test_the_environment_variable_forces_the_python_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fast837.ENV_VAR, "0")
    before = dict(fast837.counts)
    batch = parse_claim_batch(sample("837P"))
    assert len(batch) == 3
    assert fast837.counts == before


@pytest.mark.parametrize("read_size", [1, 7, 105, 106, 107, 4096])
def test_claims_and_headers_straddling_reads(
    read_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast837, "READ_SIZE", read_size)
    text = format_837(make_claims(12, 8), OPTIONS) + render(
        interchange([("HC", "005010X223A2", [INSTITUTIONAL])], control=2),
        sep="|", comp=">", term="'", eol="\r\n",
    )
    batches = _taken(text.encode(), 5)
    assert [len(b) for b in batches] == [5, 5, 3]
    _assert_same(text.encode(), 5)


def test_a_file_without_claims_gives_one_empty_batch() -> None:
    text = _one([s for s in PROFESSIONAL if not s.startswith(("CLM", "LX", "SV1"))][:20])
    (batch,) = _taken(text)
    assert len(batch) == 0
    _assert_same(text)


def test_stopping_early_ends_the_reading_thread() -> None:
    text = format_837(make_claims(30, 2), OPTIONS)
    batches = iter_claim_batches(text, claims_per_batch=5)
    assert len(next(batches)) == 5
    batches.close()
    assert not [t for t in threading.enumerate() if t.name == "cleanclaim-fast837"]


# -- the corpus: batches or error equal to the Python path's ---------------------------------

_STYLES: list[dict[str, str]] = [
    {},
    {"eol": ""},
    {"eol": "\r\n"},
    {"eol": "\r"},
    {"sep": "|", "comp": ">", "term": "'"},
    {"sep": "^", "comp": "\\", "rep": "{", "term": "~", "eol": ""},
    {"sep": "!", "comp": "@", "rep": "#", "term": "$"},
    {"term": "\n", "eol": ""},  # a line break as terminator: left to Python
    {"sep": "\t"},  # a blank as separator: left to Python (which refuses it)
]


@pytest.mark.parametrize("kind", ["837P", "837I"])
@pytest.mark.parametrize("style", _STYLES, ids=lambda s: repr(s))
def test_samples_in_every_style(kind: str, style: dict[str, str]) -> None:
    for per_batch in (1, 2, 10_000):
        _assert_same(sample(kind, **style), per_batch)


def test_several_transactions_groups_and_interchanges_with_other_delimiters() -> None:
    first = render(
        interchange(
            [
                ("HC", "005010X222A1", [PROFESSIONAL, PROFESSIONAL]),
                ("HC", "005010X223A2", [INSTITUTIONAL]),
            ]
        )
    )
    second = render(
        interchange([("HC", "005010X223A3", [INSTITUTIONAL])], control=2),
        sep="|", comp=">", term="'",
    )
    text = first + second
    # Claims repeat their ids across transactions: only one a batch passes conform.
    assert len(_taken(text, 1)) == 8
    for per_batch in (1, 3, 100):
        _assert_same(text, per_batch)


def test_repeated_billing_providers_and_subscribers() -> None:
    second = [s.replace("1234567893", "1245319599") for s in PROFESSIONAL[4:]]
    second = [s.replace("HL*1**", "HL*5**") for s in second]
    text = _one(PROFESSIONAL + second)
    _taken(text, 2)
    _assert_same(text, 2)


def test_maximum_lengths_and_counts() -> None:
    text = _one(largest_professional())
    _taken(text)
    _assert_same(text)


_CHANGES: list[tuple[str, str]] = [
    # handled by the fast path
    ("NM1*IL", "NM1*IL*1*DOE"),  # no member id: an empty text, conform decides
    ("N3*1 MAIN ST", "N3*1 MAIN ST*SUITE 2"),
    ("N3*1 MAIN ST", "N3**SUITE 2"),
    ("N3*1 MAIN ST", "N3"),
    ("DTP*472*D8*20241120", "DTP*472*DT*202411201030"),
    ("DTP*472*D8*20241120", "DTP*472*RD8*20241120-20241119"),  # order: conform's problem
    ("CLM*PCLM001", "CLM*PCLM001*180.5***11:B*Y*A*Y*Y"),
    ("CLM*PCLM001", "CLM*PCLM001*180.5"),
    ("HI*ABK", "HI*BK:E119*BF:I10*BR:Z794*ABF"),
    ("HI*ABK", "HI*ABK:E119:::::::Y*ABF:I10:D8:20240101"),
    ("SV1*HC:99214", "SV1*HC:99214:::::XX*150.5*UN*1*11**1:2:3"),
    ("SV1*HC:99214", "SV1*HC*150.5*UN*1"),
    ("SV1*HC:99214", "SV1*HC:99214*150.5*UN*1*11**01:0002"),
    ("SV1*HC:99214", "SV1*HC:99214*150.5*UN*1*11**1:2:3:4:5:6:7:8:9"),
    ("LX*1", "LX*007"),
    ("DMG*D8*19800215", "DMG*D8**F"),
    ("DMG*D8*19800215", "DMG*D8*20000229*M"),
    ("SBR*P*18", "SBR*P"),
    ("PRV*BI", "PRV*BI*PXC"),
    ("REF*EI", "REF*SY*123456789"),
    ("BHT*0019", "BHT*0019*00*BATCH1"),
    # left to the Python path, which raises or reads them
    ("DMG*D8*19800215", "DMG*D8*19800230*F"),
    ("DMG*D8*19800215", "DMG*D6*19800215*F"),
    ("DTP*472*D8*20241120", "DTP*472*XX*20241120"),
    ("DTP*472*D8*20241120", "DTP*472*RD8*20241120"),
    ("LX*1", "LX*3"),  # lines out of number order
    ("LX*1", "LX*one"),
    ("LX*1", "LX*99999999999999999999999"),
    ("LX*1", "LX*" + "0" * 5000 + "1"),  # int() refuses more than 4300 digits
    ("SV1*HC:99214", "SV1*HC:99214*150.5*UN*1*11**" + "0" * 5000 + "1"),
    ("SV1*HC:99214", "SV1*HC:99214*150.5*UN*1*11**1::2"),
    ("SV1*HC:99214", "SV1*HC:99214*150.5*UN*1*11** 1"),
    ("HL*2*1*22", "HL*2*1*21*0"),
    ("HL*2*1*22", "HL*2*9*22*0"),  # a wrong parent: strict reading does not check it
    ("REF*G1*AUTH01", "REF*G1*AUTH01 "),
    ("REF*G1*AUTH01", "REF*G1* AUTH01"),
    ("NM1*85", "NM1*85*2*FAMILY CLINIC*****XX"),
    ("NM1*DN", "NM1*DN*1*REFER*RITA****XX*1003000126*EXTRA*MORE"),
    ("CLM*PCLM001", "CLM*PCLM001*180.5***11:B:1*Y*A*Y*Y\nNM1*XX"),
    ("CLM*PCLM001", "CLM*PCLM001*12.345***11:B:1*Y*A*Y*Y"),
    ("CLM*PCLM001", "CLM**180.5***11:B:1*Y*A*Y*Y"),
    ("NM1*PR", "NM1*PR*2*ACMÉ HEALTH*****PI*60054"),
    ("NM1*PR", "XYZ*1"),
    ("NM1*PR", "nm1*PR"),
    ("NM1*PR", "TA1*1"),
]


_CHANGED = [
    (change, institutional)
    for institutional in (False, True)
    for change in _CHANGES
    if any(s.startswith(change[0]) for s in (INSTITUTIONAL if institutional else PROFESSIONAL))
]


@pytest.mark.parametrize(
    ("change", "institutional"), _CHANGED, ids=lambda v: v[1][:40] if isinstance(v, tuple) else v
)
def test_changed_segments_give_the_same_batches_or_error(
    change: tuple[str, str], institutional: bool
) -> None:
    base = INSTITUTIONAL if institutional else PROFESSIONAL
    version = "005010X223A2" if institutional else "005010X222A1"
    text = _one(_body(change, base=base), version)
    for per_batch in (1, 10_000):
        _assert_same(text, per_batch)


@pytest.mark.parametrize(
    ("before", "inserted"),
    [
        ("SV1*HC:99214", "HL*9*1*22*0"),  # an SV1 after the claim ended: no line for it
        ("SV1*HC:99214", "SE*1*0001"),
        ("LIN**N4", "HL*9*1*23*0"),
        ("DTP*472*D8*20241120", "HL*9*1*23*0"),
        ("HI*ABK", "LX*1"),
        ("NM1*PR", "LX*1"),
        ("NM1*PR", "SV1*HC:99214*1*UN*1"),
        ("CLM*PCLM001", "SBR*S"),
        ("NM1*85", "CLM*X*1***11:B:1"),
        ("NM1*85", "LIN**N4*00002143380"),  # before any CLM: the Python handler raises
        ("HL*3", "LIN**N4*00002143380"),
    ],
)
def test_segments_out_of_their_loop_give_the_same_outcome(before: str, inserted: str) -> None:
    body = list(PROFESSIONAL)
    body.insert(next(i for i, s in enumerate(body) if s.startswith(before)), inserted)
    for per_batch in (1, 10_000):
        _assert_same(_one(body), per_batch)


_ENVELOPE_DAMAGE: list[tuple[str, str]] = [
    ("SE*", "SE*99*0001"),
    ("SE*", "SE*{n}*0002"),
    ("GE*", "GE*2*1"),
    ("GE*", "GE*1*7"),
    ("IEA*", "IEA*2*000000001"),
    ("IEA*", "IEA*1*000000002"),
    ("IEA*", "IEA*1* 000000001 "),
    ("GS*", "GS*HC*SENDER*RECEIVER*20241331*1015*1*X*005010X222A1"),
    ("GS*", "GS*HC*SENDER*RECEIVER*20241201*1015*A*X*005010X222A1"),
    ("ST*", "ST*837*0001*005010X221A1"),
    ("ST*", "ST*835*0001*005010X222A1"),
    ("ST*", "ST*837**005010X222A1"),
    ("ST*", "ST*837*0001"),
    ("ISA*", "ISA*00*"),
    ("IEA*", ""),
]


@pytest.mark.parametrize("damage", _ENVELOPE_DAMAGE, ids=lambda d: d[1] or "dropped")
def test_envelope_problems_give_the_same_error(damage: tuple[str, str]) -> None:
    segments = interchange([("HC", "005010X222A1", [PROFESSIONAL])])
    old, new = damage
    index = next(i for i, s in enumerate(segments) if s.startswith(old))
    if new:
        segments[index] = new.replace("{n}", str(len(PROFESSIONAL) + 2))
    else:
        del segments[index]
    _assert_same(render(segments))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        "\ufeff" + sample("837P"),
        "\n\n  " + sample("837P"),
        sample("837P") + "  \r\n ",
        sample("837P") + "ISA",
        sample("837P").rstrip("~\n"),  # the last segment lacks its terminator
        sample("837P").replace("~\n", "~\n\n~", 5),  # empty segments
        sample("837P").replace("NM1*IL", "NM1\n*IL"),  # a line break inside a segment
        sample("837P").replace("~\nNM1*IL", "~ NM1*IL"),
        sample("837P").replace("\n", "\n" + "\x00", 1),
        sample("835"),
        sample("837P") + sample("835"),
    ],
)
def test_odd_text_gives_the_same_outcome(text: str) -> None:
    _assert_same(text)
    _assert_same(text.encode("utf-8"))


@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    count=st.integers(1, 40),
    per_batch=st.integers(1, 12),
    institutional=st.booleans(),
)
def test_generated_claims(seed: int, count: int, per_batch: int, institutional: bool) -> None:
    claim_type = ClaimType.INSTITUTIONAL if institutional else ClaimType.PROFESSIONAL
    text = format_837(make_claims(count, seed, claim_type), OPTIONS)
    batches = _assert_same(text, per_batch)[0]
    assert sum(len(b) for b in batches) == count


def test_synthetic_world_837() -> None:
    from cleanclaim.synth import generate_world

    world = generate_world(5, 300)
    claims = [c for c in records_from_batch(world.claims) if isinstance(c, Claim)]
    stream = io.StringIO()
    write_837(claims, stream)
    text = stream.getvalue()
    for per_batch in (50, 10_000):
        _assert_same(text, per_batch)


_MANGLED = [
    sample("837P"),
    sample("837I", eol=""),
    format_837(make_claims(6, 4), OPTIONS),
    format_837(make_claims(4, 9, ClaimType.INSTITUTIONAL), OPTIONS),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, len(_MANGLED) - 1),
    edits=st.lists(edit, min_size=1, max_size=4),
    per_batch=st.sampled_from([1, 2, 10_000]),
    as_bytes=st.booleans(),
)
def test_mangled_files_give_the_same_batches_or_error(
    which: int, edits: list[tuple[str, float, str]], per_batch: int, as_bytes: bool
) -> None:
    text = mangle(_MANGLED[which], edits)
    _assert_same(text.encode("utf-8") if as_bytes else text, per_batch)
