"""TA1 interchange acknowledgments: envelope faults into note codes, writing and reading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleanclaim.cli.x12 import app
from cleanclaim.standards.x12 import (
    AckCode,
    InterchangeAck,
    ProblemKind,
    WriteOptions,
    X12ParseError,
    X12Problem,
    acknowledge,
    acknowledgments,
    format_999,
    format_acknowledgments,
    interchange_acks,
    parse_acks,
    parse_claims,
    parse_interchange_acks,
    validate,
)

from .samples import PROFESSIONAL, REMITTANCE, interchange, render, sample
from .test_fuzz import edit, mangle

OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 2, 9, 30))


def _isa(text: str, element: int, value: str) -> str:
    """``text`` with ISA element ``element`` (of the same width) set to ``value``."""
    header, rest = text.split("~", 1)
    el = header.split("*")
    assert len(el[element]) == len(value)
    el[element] = value
    return "*".join(el) + "~" + rest


def _verdict(text: str) -> tuple[str, str]:
    (ack,) = interchange_acks(text)
    return ack.status.value, ack.note_code


@pytest.mark.parametrize(
    ("element", "value", "status", "note"),
    [
        (1, "07", "R", "010"),
        (3, "05", "R", "012"),
        (5, "99", "R", "005"),
        (6, " " * 15, "E", "006"),
        (7, "AB", "R", "007"),
        (8, " " * 15, "E", "008"),
        (9, "24120A", "R", "014"),
        (10, "2561", "R", "015"),
        (12, "00401", "R", "003"),
        (12, "0050A", "R", "017"),
        (14, "2", "E", "019"),
        (15, "X", "E", "020"),
    ],
)
def test_header_faults(element: int, value: str, status: str, note: str) -> None:
    text = _isa(sample("837P"), element, value)
    problems = validate(text)
    assert [(p.segment, p.segment_id, p.element) for p in problems] == [(1, "ISA", element)]
    assert _verdict(text) == (status, note)


def test_reading_lives_with_what_only_a_ta1_answers() -> None:
    for element, value in ((1, "07"), (5, "99"), (8, " " * 15), (10, "2561"), (14, "2")):
        text = _isa(sample("837P"), element, value)
        assert len(list(parse_claims(text))) == 3
        (problem,) = validate(text)
        assert not problem.fatal and problem.segment_id == "ISA"
    with pytest.raises(X12ParseError, match="usage indicator"):
        list(parse_claims(_isa(sample("837P"), 15, "X")))


def test_trailer_and_structure_faults() -> None:
    clean = sample("837P")
    assert _verdict(clean) == ("A", "000")
    assert _verdict(clean.replace("IEA*1*000000001", "IEA*1*000000002")) == ("E", "001")
    assert _verdict(clean.replace("IEA*1*", "IEA*2*")) == ("E", "021")
    # ISA13 not 9 digits: the IEA that repeats it differs too (001), the rejection wins.
    bad_control = _isa(clean, 13, "00000000A").replace("IEA*1*000000001", "IEA*1*00000000A")
    assert _verdict(bad_control) == ("R", "018")
    both = _isa(clean, 15, "X").replace("IEA*1*", "IEA*2*")
    assert _verdict(both) == ("E", "020")  # the first of two faults that do not reject
    assert _verdict(clean[: clean.index("IEA*")]) == ("R", "023")
    assert _verdict(clean.replace("GS*HC", "NTE*STRAY~\nGS*HC", 1)) == ("R", "024")
    # What is echoed can always be written back: no delimiter, no more than the TA1 holds.
    odd = _isa(clean, 13, "12:4^6789").replace("IEA*1*000000001", "IEA*1*12:4^6789")
    (ack,) = interchange_acks(odd)
    assert (ack.control_number, ack.note_code) == ("1246789", "018")
    assert "TA1*1246789*241201*1015*R*018~" in format_acknowledgments([ack])


def test_an_isa_the_reader_cannot_split_is_a_bad_control_structure() -> None:
    # The tokenizer refuses any ISA it cannot cut into 16 elements before the reader counts
    # them, so this fault is only ever met as a problem handed over.
    problem = X12Problem(
        "<x12>", 1, "ISA", None, "ISA has 15 elements, not 16", ProblemKind.SYNTAX
    )
    (ack,) = interchange_acks(sample("837P"), [problem])
    assert (ack.status, ack.note_code) == (AckCode.REJECTED, "022")


def test_each_interchange_is_judged_on_its_own() -> None:
    first = render(interchange([("HC", "005010X222A1", [PROFESSIONAL])], control=1))
    second = render(interchange([("HP", "005010X221A1", [REMITTANCE])], control=2))
    third = render(interchange([("HC", "005010X222A1", [PROFESSIONAL])], control=3))
    # The first lacks its IEA; the second is clean; the third's trailer miscounts.
    text = first[: first.index("IEA*")] + second + third.replace("IEA*1*", "IEA*5*")
    acks = interchange_acks(text)
    assert [(a.control_number, a.status.value, a.note_code) for a in acks] == [
        ("000000001", "R", "023"),
        ("000000002", "A", "000"),
        ("000000003", "E", "021"),
    ]
    ta1s, groups = acknowledgments(text)
    assert [a.control_number for a in ta1s] == ["000000001", "000000003"]
    # No 999 for the groups of the rejected interchange.
    assert [(g.functional_id, g.status) for g in groups] == [
        ("HP", AckCode.ACCEPTED),
        ("HC", AckCode.ACCEPTED),
    ]
    assert len(acknowledge(text)) == 3


def test_only_faults_or_a_request_get_a_ta1() -> None:
    clean = sample("837P")
    ta1s, groups = acknowledgments(clean)
    assert ta1s == [] and groups == acknowledge(clean)
    ta1s, groups = acknowledgments(_isa(clean, 14, "1"))
    assert [(a.status, a.note_code) for a in ta1s] == [(AckCode.ACCEPTED, "000")]
    assert groups == acknowledge(clean)
    ta1s, groups = acknowledgments(_isa(clean, 9, "24120A"))
    assert [a.status for a in ta1s] == [AckCode.REJECTED] and groups == []


def test_written_acknowledgments_read_back() -> None:
    text = sample("837P").replace("IEA*1*000000001", "IEA*1*000000002")
    ta1s, groups = acknowledgments(text, options=OPTIONS)
    out = format_acknowledgments(ta1s, groups, OPTIONS)
    assert "~\nTA1*000000001*241201*1015*E*001~\nGS*FA*" in out
    assert out.endswith("IEA*1*000000001~\n")
    assert validate(out) == []
    assert list(parse_interchange_acks(out)) == ta1s
    assert list(parse_acks(out)) == groups
    alone = format_acknowledgments(
        [InterchangeAck(control_number="000000007", interchange_date="241201",
                        interchange_time="1015", status=AckCode.REJECTED, note_code="023")],
        options=OPTIONS,
    )
    assert "TA1*000000007*241201*1015*R*023~\nIEA*0*" in alone
    assert validate(alone) == []
    assert [a.note_code for a in parse_interchange_acks(alone)] == ["023"]
    assert list(parse_interchange_acks(format_999(groups, OPTIONS))) == []


def test_pyx12_accepts_a_ta1_with_its_999() -> None:
    pytest.importorskip("pyx12", reason="pyx12 (optional peer) is not installed")
    from bench.x12_pyx12 import check

    text = sample("837P").replace("IEA*1*000000001", "IEA*1*000000002")
    result = check("999", format_acknowledgments(*acknowledgments(text), OPTIONS))
    assert result.errors == [] and result.accepted


def test_bad_ta1_is_located() -> None:
    good = format_acknowledgments(interchange_acks(sample("837P").replace("IEA*1*", "IEA*2*")))
    assert "TA1*000000001*241201*1015*E*021~" in good
    segment = "TA1*000000001*241201*1015*E*021~"
    for bad, element in (("*P*021~", 4), ("*E*21~", 5), ("*E~", 5), ("*~", 4)):
        text = good.replace(segment, "TA1*000000001*241201*1015" + bad)
        with pytest.raises(X12ParseError) as caught:
            list(parse_interchange_acks(text))
        assert (caught.value.segment, caught.value.segment_id, caught.value.element) == (
            2,
            "TA1",
            element,
        )
    inside = sample("837P").replace("ST*837", "TA1*000000001*241201*1015*A*000~\nST*837")
    with pytest.raises(X12ParseError, match="TA1 inside a functional group") as caught:
        list(parse_interchange_acks(inside))
    assert caught.value.segment == 3


def test_cli_writes_the_ta1(tmp_path: Path) -> None:
    path = tmp_path / "claims.837"
    ack = tmp_path / "claims.ack"
    runner = CliRunner()
    path.write_text(sample("837P").replace("IEA*1*", "IEA*3*"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--ack", str(ack)])
    assert result.exit_code == 1
    assert "TA1 and 999 written" in result.stderr
    assert "interchange 000000001 E 021, group 1 A" in result.stderr
    text = ack.read_text()
    assert "*ZZ*RECEIVER       *ZZ*SENDER         *" in text
    assert [a.note_code for a in parse_interchange_acks(text)] == ["021"]
    assert next(parse_acks(text)).status is AckCode.ACCEPTED
    path.write_text(_isa(sample("837P"), 10, "2561"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--ack", str(ack)])
    assert result.exit_code == 1
    assert "TA1 written" in result.stderr and "(interchange 000000001 R 015)" in result.stderr
    assert list(parse_acks(ack)) == []
    path.write_text(sample("837P"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--ack", str(ack)])
    assert result.exit_code == 0 and "999 written" in result.stderr
    assert list(parse_interchange_acks(ack)) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(edit, min_size=1, max_size=4))
def test_mangled_acknowledgments_only_raise_parse_errors(
    edits: list[tuple[str, float, str]],
) -> None:
    text = sample("837P").replace("IEA*1*", "IEA*2*")
    mangled = mangle(format_acknowledgments(*acknowledgments(text), OPTIONS), edits)
    try:
        list(parse_interchange_acks(mangled))
    except X12ParseError as exc:
        assert exc.segment is not None
    source = mangle(text, edits)
    ta1s, _ = acknowledgments(source)
    assert all(len(a.note_code) == 3 for a in ta1s)


def test_parse_reads_ta1s_with_the_transaction_sets() -> None:
    from cleanclaim.standards.x12 import parse

    text = sample("837P").replace("IEA*1*000000001", "IEA*1*000000002")
    ta1s, groups = acknowledgments(text, options=OPTIONS)
    out = format_acknowledgments(ta1s, groups, OPTIONS)
    assert list(parse(out)) == [*ta1s, *groups]
    assert list(parse_acks(out)) == groups  # the typed readers leave TA1s out
    bad = out.replace("*E*001~", "*P*001~")
    with pytest.raises(X12ParseError) as caught:
        list(parse(bad))
    assert (caught.value.segment, caught.value.element) == (2, 4)
    (problem,) = validate(bad)
    assert (problem.segment, problem.segment_id, problem.element) == (2, "TA1", 4)


def test_cli_parse_writes_ta1_records(tmp_path: Path) -> None:
    import json

    text = sample("837P").replace("IEA*1*000000001", "IEA*1*000000002")
    path = tmp_path / "ack.x12"
    path.write_text(format_acknowledgments(*acknowledgments(text, options=OPTIONS), OPTIONS))
    result = CliRunner().invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["record"] for r in rows] == ["interchange_ack", "functional_group_ack"]
    assert rows[0]["note_code"] == "001" and rows[0]["status"] == "E"
