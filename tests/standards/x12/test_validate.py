"""Validation collects every problem, each with its position, instead of stopping."""

from __future__ import annotations

from cleanclaim.standards.x12 import ProblemKind, parse, validate

from .samples import PROFESSIONAL, interchange, render


def _with(*changes: tuple[str, str]) -> str:
    body = list(PROFESSIONAL)
    for old, new in changes:
        index = next(i for i, s in enumerate(body) if s.startswith(old))
        body[index] = new
    return render(interchange([("HC", "005010X222A1", [body])]))


def test_every_problem_is_listed_with_its_position() -> None:
    text = _with(
        ("DMG*D8*19800215", "DMG*D8*19801315*F"),
        ("CLM*PCLM002", "CLM*PCLM002*75***11:B:6*Y*A*Y*Y"),
        ("DTP*472*D8*20241106", "DTP*472*D8*2024-11-06"),
        ("HL*4*3*23*0", "HL*4*3*99*0"),
    )
    problems = validate(text)
    summary = [(p.segment, p.segment_id, p.element, p.kind) for p in problems]
    assert summary == [
        (22, "DMG", 2, ProblemKind.DATE),
        (51, "HL", 3, ProblemKind.CODE),
        (55, "CLM", 5, ProblemKind.VALUE),
        (65, "DTP", 3, ProblemKind.DATE),
    ]
    assert "frequency_code" in problems[2].cause
    assert problems[0].value == "19801315"


def test_required_elements() -> None:
    text = _with(("NM1*IL*1*DOE", "NM1*IL*1*DOE*JANE****MI"), ("CLM*PCLM003", "CLM**20***02:B:1"))
    problems = validate(text)
    fields = [p.cause.split(":")[0] for p in problems]
    assert fields == ["member_id", "claim_id"]
    assert problems[0].segment_id == "NM1" and problems[0].element == 9
    assert problems[1].segment_id == "CLM" and problems[1].element == 1
    assert {p.kind for p in problems} == {ProblemKind.REQUIRED}


def test_problem_as_dict_and_text() -> None:
    (problem,) = validate(_with(("DMG*D8*19800215", "DMG*D8*19800230*F")))
    data = problem.as_dict()
    assert data["kind"] == "date" and data["segment"] == 22 and data["element"] == 2
    assert str(problem) == (
        "<x12>: segment 22 (DMG), element 2: not a valid CCYYMMDD date (value '19800230')"
    )


def test_code_values_the_reader_tolerates_are_reported() -> None:
    text = _with(
        ("NM1*85", "NM1*85*2*CLINIC*****24*1234567893"),
        ("SV1*HC:81002", "SV1*HC:81002*30*XX*2***1"),
        ("CLM*PCLM003", "CLM*PCLM003*20***02:Q:1"),
    )
    problems = validate(text)
    assert [(p.segment_id, p.element, p.kind) for p in problems] == [
        ("NM1", 8, ProblemKind.CODE),
        ("SV1", 3, ProblemKind.CODE),
        ("CLM", 5, ProblemKind.CODE),
    ]
    # Parsing lets them through: they do not change what the records say.
    assert len(list(parse(text))) == 3


def test_line_dates_out_of_order_point_at_the_line() -> None:
    text = _with(("DTP*472*RD8*20241120-20241121", "DTP*472*RD8*20241122-20241121"))
    (problem,) = validate(text)
    assert (problem.segment_id, problem.segment) == ("LX", 42)
    assert "service_to" in problem.cause


def test_hierarchy_numbers_and_parents() -> None:
    text = _with(("HL*2*1*22*0", "HL*2*7*22*0"), ("HL*4*3*23*0", "HL*5*1*23*0"))
    problems = validate(text)
    assert [(p.segment, p.segment_id, p.element) for p in problems] == [
        (17, "HL", 2),
        (51, "HL", 1),
        (51, "HL", 2),
    ]


def test_bad_diagnosis_is_placed_at_its_hi_element() -> None:
    text = _with(("HI*ABK:E119", "HI*ABK:E119*ABF:" + "X" * 60 + "*ABF:Z794"))
    (problem,) = validate(text)
    assert (problem.segment, problem.segment_id, problem.element) == (28, "HI", 2)
    assert problem.cause.startswith("diagnoses.1.code")
