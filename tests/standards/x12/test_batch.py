"""837 straight into canonical batches: the same claims as the record path, or its error."""

from __future__ import annotations

import datetime as dt
import io

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanclaim.domain import Claim, ClaimType
from cleanclaim.domain.schema import Batch, batch_from_records, records_from_batch
from cleanclaim.standards.x12 import (
    WriteOptions,
    X12ParseError,
    format_837,
    iter_claim_batches,
    parse_claim_batch,
    parse_claims,
)
from cleanclaim.standards.x12 import batch as batch_module

from .factories import make_claims
from .samples import PROFESSIONAL, interchange, render, sample

OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 1, 10, 15))


def _same(batch: Batch, text: str, *, unique: bool = True) -> None:
    expected = batch_from_records(Claim, list(parse_claims(text)))
    assert set(batch.tables) == set(expected.tables)
    for name, table in expected.tables.items():
        assert batch.tables[name].equals(table), name
    if unique:  # rows of claims sharing an id cannot be told apart in the tables
        assert records_from_batch(batch) == list(parse_claims(text))


def _837(*changes: tuple[str, str]) -> str:
    body = list(PROFESSIONAL)
    for old, new in changes:
        index = next(i for i, s in enumerate(body) if s.startswith(old))
        body[index] = new
    return render(interchange([("HC", "005010X222A1", [body])]))


@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_samples(kind: str) -> None:
    text = sample(kind)
    _same(parse_claim_batch(text), text)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), count=st.integers(1, 30), institutional=st.booleans())
def test_generated_claims(seed: int, count: int, institutional: bool) -> None:
    claim_type = ClaimType.INSTITUTIONAL if institutional else ClaimType.PROFESSIONAL
    text = format_837(make_claims(count, seed, claim_type), OPTIONS)
    _same(parse_claim_batch(text), text)


def test_text_pydantic_and_polars_would_read_apart_goes_the_record_way() -> None:
    text = _837(("REF*G1*AUTH01", "REF*G1*AUTH01 "), ("NM1*DN*1*REFER", "NM1*DN*1*REFER*RITA"))
    batch = parse_claim_batch(text)
    _same(batch, text)
    assert batch.root.column("prior_auth_number")[0].as_py() == "AUTH01 "


def test_lines_out_of_number_order_come_in_order_like_the_record_path() -> None:
    text = _837(("LX*1", "LX*3"))
    _same(parse_claim_batch(text), text)
    assert parse_claim_batch(text).tables["claim_lines"].column("line_number")[:2].to_pylist() == [
        2,
        3,
    ]


def test_duplicate_claim_ids_are_kept_like_the_record_path() -> None:
    text = _837(("CLM*PCLM003", "CLM*PCLM001*20***02:B:1*Y*A*Y*Y"))
    _same(parse_claim_batch(text), text, unique=False)


def _same_place(caught: X12ParseError, expected: X12ParseError) -> None:
    """The batch error names the record path's position, field, kind and value (the wording
    of the cause is conform's, not pydantic's)."""
    got, want = caught.problem, expected.problem
    assert (got.source, got.segment, got.segment_id, got.element, got.component) == (
        want.source,
        want.segment,
        want.segment_id,
        want.element,
        want.component,
    )
    assert (got.kind, got.value, got.fatal) == (want.kind, want.value, want.fatal)
    assert got.cause.split(":")[0] == want.cause.split(":")[0]


@pytest.mark.parametrize(
    "change",
    [
        ("REF*G1*AUTH01", "REF*G1*"),  # empty: pydantic and conform read it apart
        ("DMG*D8*19800215", "DMG*D8*19800230*F"),  # not a date: the handler's error
    ],
)
def test_errors_before_conform_are_those_of_the_record_path(change: tuple[str, str]) -> None:
    text = _837(change)
    with pytest.raises(X12ParseError) as expected:
        list(parse_claims(text))
    with pytest.raises(X12ParseError) as caught:
        parse_claim_batch(text)
    assert caught.value.problem == expected.value.problem


_LONG = "E" * 60

# Values the handler passes and conform refuses: at the segment ordinal, segment id and
# element of the record path's error, without reading the file again.
_REFUSED = {
    "claim amount": [("CLM*PCLM002", "CLM*PCLM002*75.123***11:B:7*Y*A*Y*Y")],
    "line amount": [("SV1*HC:81002", "SV1*HC:81002*30.999*UN*2***1")],
    "line amount, lines out of order": [
        ("LX*1", "LX*3"),
        ("SV1*HC:81002", "SV1*HC:81002*30.999*UN*2***1"),
    ],
    "too-long diagnosis": [("HI*ABK:E119", f"HI*ABK:E119*ABF:{_LONG}*ABF:Z794")],
    "too-long line reference": [("REF*G1*LINEAUTH", f"REF*G1*{_LONG * 2}")],
    "too-long claim id": [("CLM*PCLM003", f"CLM*{_LONG}*20***02:B:1*Y*A*Y*Y")],
    "line dates out of order": [("DTP*472*RD8*20241120-20241121", "DTP*472*RD8*20241122-20241121")],
    "bad sex": [("DMG*D8*19800215", "DMG*D8*19800215*Q")],
    "bad frequency": [("CLM*PCLM003", "CLM*PCLM003*20***02:B:6*Y*A*Y*Y")],
    "too-long present on admission": [("HI*ABK:R51", "HI*ABK:R51:::::::YY")],
    "two problems in a claim": [
        ("DMG*D8*19800215", "DMG*D8*19800215*Q"),
        ("SV1*HC:81002", "SV1*HC:81002*30.999*UN*2***1"),
    ],
    "a line's problem and another's date order": [
        ("SV1*HC:99214", "SV1*HC:99214:25:GT*150.555*UN*1*11**1:2:3"),
        ("DTP*472*RD8*20241120-20241121", "DTP*472*RD8*20241122-20241121"),
    ],
    "second claim's problem, not the third's": [
        ("CLM*PCLM002", "CLM*PCLM002*75.123***11:B:7*Y*A*Y*Y"),
        ("CLM*PCLM003", "CLM*PCLM003*20***02:B:6*Y*A*Y*Y"),
    ],
}


@pytest.mark.parametrize("changes", _REFUSED.values(), ids=_REFUSED.keys())
def test_refused_values_are_placed_where_the_record_path_places_them(
    changes: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _837(*changes)
    with pytest.raises(X12ParseError) as expected:
        list(parse_claims(text))

    def reread(*args: object) -> None:
        raise AssertionError("the batch read the file again")

    monkeypatch.setattr(batch_module, "_by_records", reread)
    with pytest.raises(X12ParseError) as caught:
        parse_claim_batch(text)
    _same_place(caught.value, expected.value)


def test_a_refused_institutional_claim_is_placed_like_the_record_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = sample("837I")
    born = next(s for s in text.split("~") if s.strip().startswith("DMG*D8*"))
    text = text.replace(born.strip(), "DMG*D8*20990101*F", 1)  # born after the statement
    with pytest.raises(X12ParseError) as expected:
        list(parse_claims(text))
    monkeypatch.setattr(batch_module, "_by_records", None)
    with pytest.raises(X12ParseError) as caught:
        parse_claim_batch(text)
    _same_place(caught.value, expected.value)


def _joined(batches: list[Batch]) -> Batch:
    names = batches[0].tables
    return Batch(Claim, {n: pa.concat_tables([b.tables[n] for b in batches]) for n in names})


@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    count=st.integers(1, 25),
    per_batch=st.integers(1, 8),
    institutional=st.booleans(),
)
def test_batches_in_chunks_are_the_record_path(
    seed: int, count: int, per_batch: int, institutional: bool
) -> None:
    claim_type = ClaimType.INSTITUTIONAL if institutional else ClaimType.PROFESSIONAL
    text = format_837(make_claims(count, seed, claim_type), OPTIONS)
    batches = list(iter_claim_batches(text, claims_per_batch=per_batch))
    assert [len(b) for b in batches[:-1]] == [per_batch] * (len(batches) - 1)
    assert 1 <= len(batches[-1]) <= per_batch
    _same(_joined(batches), text)
    _same(parse_claim_batch(text, claims_per_batch=per_batch), text)


# Damage done to one segment of a generated file: (segment id, element, new value).
_DAMAGE = [
    ("CLM", 2, "12.345"),  # more decimals than money has: a model error
    ("CLM", 1, ""),  # a required value left empty
    ("DTP", 3, "20241399"),  # not a date: a handler error
    ("SV1", 2, "ABC"),
    ("SV1", 7, "1:X"),
    ("DMG", 3, "Q"),  # not a sex code
    ("HI", 1, "ABK:" + "E" * 60),  # a code longer than a code may be
    ("LX", 1, "0"),
    ("REF", 2, ""),
]


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    count=st.integers(2, 12),
    damage=st.sampled_from(_DAMAGE),
    which=st.integers(0, 10**6),
    per_batch=st.integers(1, 5),
)
def test_a_damaged_file_fails_with_the_first_error_of_the_record_path(
    seed: int, count: int, damage: tuple[str, int, str], which: int, per_batch: int
) -> None:
    text = format_837(make_claims(count, seed), OPTIONS)
    segments = text.split("~")
    tag, element, value = damage
    found = [i for i, s in enumerate(segments) if s.strip().startswith(tag + "*")]
    index = found[which % len(found)]
    elements = segments[index].split("*")
    elements += [""] * (element + 1 - len(elements))
    elements[element] = value
    segments[index] = "*".join(elements)
    text = "~".join(segments)
    try:
        expected = batch_from_records(Claim, list(parse_claims(text)))
    except X12ParseError as exc:
        with pytest.raises(X12ParseError) as caught:
            list(iter_claim_batches(text, claims_per_batch=per_batch))
        _same_place(caught.value, exc)
    else:  # some damage is still valid (an empty REF is skipped, say)
        batch = _joined(list(iter_claim_batches(text, claims_per_batch=per_batch)))
        for name, table in expected.tables.items():
            assert batch.tables[name].equals(table), name


def test_an_error_in_a_later_batch_comes_after_the_earlier_batches() -> None:
    text = format_837(make_claims(6, 3), OPTIONS)
    text = text.replace("CLM*CLM0000005*", "CLM*CLM0000005*X", 1)
    batches = iter_claim_batches(text, claims_per_batch=2)
    assert len(next(batches)) == 2
    assert len(next(batches)) == 2
    with pytest.raises(X12ParseError) as caught:
        next(batches)
    assert caught.value.segment_id == "CLM"
    assert caught.value.element == 2
    with pytest.raises(X12ParseError) as expected:
        list(parse_claims(text))
    _same_place(caught.value, expected.value)


def test_streams_and_bytes_read_like_text() -> None:
    text = sample("837P")
    for source in (text.encode(), io.BytesIO(text.encode()), io.StringIO(text)):
        _same(_joined(list(iter_claim_batches(source, claims_per_batch=1))), text)


def test_claims_per_batch_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        next(iter_claim_batches(sample("837P"), claims_per_batch=0))
