"""Envelope checks: control numbers and counts of ISA/IEA, GS/GE, ST/SE, and their nesting."""

from __future__ import annotations

import re

import pytest

from cleanclaim.standards.x12 import ProblemKind, X12ParseError, parse, validate

from .samples import PROFESSIONAL, REMITTANCE, interchange, render

SEGMENTS = interchange(
    [("HC", "005010X222A1", [PROFESSIONAL, PROFESSIONAL]), ("HP", "005010X221A1", [REMITTANCE])]
)


def _text(changes: dict[str, str | None]) -> str:
    out: list[str] = []
    for segment in SEGMENTS:
        for prefix, new in changes.items():
            if segment.startswith(prefix):
                if new is None:
                    break
                segment = new
        else:
            out.append(segment)
            continue
        if new is not None:
            out.append(segment)
    return render(out)


def test_clean_file_has_no_problems() -> None:
    assert validate(render(SEGMENTS)) == []
    assert len(list(parse(render(SEGMENTS)))) == 8


@pytest.mark.parametrize(
    ("changes", "segment_id", "element", "cause"),
    [
        ({"SE*64*0001": "SE*62*0001"}, "SE", 1, "SE01 says 62 segments"),
        ({"SE*64*0001": "SE*63*0009"}, "SE", 2, "differs from ST02"),
        ({"GE*2*1": "GE*3*1"}, "GE", 1, "GE01 says 3 transaction sets"),
        ({"GE*2*1": "GE*2*7"}, "GE", 2, "differs from GS06"),
        ({"IEA*2*": "IEA*1*000000001"}, "IEA", 1, "IEA01 says 1 functional groups"),
        ({"IEA*2*": "IEA*2*000000002"}, "IEA", 2, "differs from ISA13"),
        ({"IEA*2*": None}, "IEA", None, "ends inside the open interchange"),
        ({"GE*1*2": None}, "IEA", None, "IEA out of place"),
        ({"GS*HP": None}, "ST", None, "ST out of place"),
    ],
)
def test_envelope_problems(
    changes: dict[str, str | None], segment_id: str, element: int | None, cause: str
) -> None:
    text = _text(changes)
    problems = validate(text)
    assert problems, "expected a problem"
    match = [p for p in problems if p.segment_id == segment_id and p.element == element]
    assert match, problems
    assert match[0].kind is ProblemKind.ENVELOPE
    assert re.search(cause, match[0].cause), match[0].cause
    assert match[0].segment is not None
    with pytest.raises(X12ParseError) as info:
        list(parse(text))
    assert info.value.segment is not None


def test_validation_goes_on_after_a_problem() -> None:
    text = _text({"SE*64*0001": "SE*1*0001", "GE*2*1": "GE*9*1", "IEA*2*": "IEA*5*000000001"})
    problems = validate(text)
    assert [(p.segment_id, p.element) for p in problems] == [("SE", 1), ("GE", 1), ("IEA", 1)]
    assert all(str(p).startswith("<x12>: segment ") for p in problems)


def test_unsupported_transaction_and_stray_segments() -> None:
    segments = interchange([("HC", "005010X222A1", [PROFESSIONAL])])
    segments.insert(2, "NM1*XX*1")  # between GS and ST
    segments[3] = segments[3].replace("005010X222A1", "005010X999A1")
    problems = validate(render(segments))
    causes = [p.cause for p in problems]
    assert any("outside a transaction set" in c for c in causes)
    assert any("unsupported transaction set 837 005010X999A1" in c for c in causes)


def test_segment_ids_must_be_well_formed() -> None:
    segments = interchange(
        [("HC", "005010X222A1", [[*PROFESSIONAL[:5], "n m*1", *PROFESSIONAL[5:]]])]
    )
    problems = validate(render(segments))
    assert [(p.segment, p.kind) for p in problems] == [(9, ProblemKind.SYNTAX)]
    # Parsing tolerates an unknown segment inside a transaction set.
    assert len(list(parse(render(segments)))) == 3


def test_isa_fields_are_checked() -> None:
    text = render(SEGMENTS).replace("*00501*", "*00401*", 1).replace("*P*:", "*X*:", 1)
    found = {(p.segment_id, p.element) for p in validate(text)}
    assert {("ISA", 12), ("ISA", 15)} <= found
