"""999 acknowledgments: validation problems into AK2/IK3/IK4/IK5/AK9, writing and reading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from cleanclaim.cli.x12 import app
from cleanclaim.standards.x12 import (
    AckCode,
    ElementError,
    FunctionalGroupAck,
    WriteOptions,
    acknowledge,
    format_999,
    parse,
    parse_acks,
    reply_options,
    validate,
)
from cleanclaim.standards.x12.loops import loop_tracker

from .samples import CLAIM_ACK, INSTITUTIONAL, PROFESSIONAL, REMITTANCE, interchange, render, sample

OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 2, 9, 30))


def _837(body: list[str]) -> str:
    return render(interchange([("HC", "005010X222A1", [body])]))


def _with(*changes: tuple[str, str]) -> list[str]:
    body = list(PROFESSIONAL)
    for old, new in changes:
        index = next(i for i, s in enumerate(body) if s.startswith(old))
        body[index] = new
    return body


def _round_trip(acks: list[FunctionalGroupAck]) -> str:
    text = format_999(acks, OPTIONS)
    assert validate(text) == []
    assert list(parse_acks(text)) == acks
    return text


def test_clean_file_is_accepted() -> None:
    (ack,) = acknowledge(sample("837P"))
    assert (ack.functional_id, ack.group_control, ack.version) == ("HC", "1", "005010X222A1")
    assert (ack.status, ack.included, ack.received, ack.accepted) == (AckCode.ACCEPTED, 1, 1, 1)
    (st,) = ack.transaction_sets
    assert (st.set_id, st.control_number, st.implementation_reference) == (
        "837",
        "0001",
        "005010X222A1",
    )
    assert (st.status, st.error_codes, st.segments) == (AckCode.ACCEPTED, [], [])
    text = _round_trip([ack])
    assert "AK2*837*0001*005010X222A1~\nIK5*A~\nAK9*A*1*1*1~" in text
    assert "GS*FA*" in text and "ST*999*0001*005010X231A1~" in text


def test_element_and_segment_errors_reject_the_set() -> None:
    text = _837(
        _with(
            ("DMG*D8*19800215", "DMG*D8*19801315*F"),
            ("CLM*PCLM002", "CLM*PCLM002*75***11:B:6*Y*A*Y*Y"),
            ("NM1*IL*1*DOE", "NM1*IL*1*DOE*JANE****MI"),
            ("HL*4*3*23*0", "HL*4*3*99*0"),
        )
    )
    (ack,) = acknowledge(text)
    assert (ack.status, ack.accepted, ack.error_codes) == (AckCode.REJECTED, 0, [])
    (st,) = ack.transaction_sets
    assert (st.status, st.error_codes) == (AckCode.REJECTED, ["5"])
    found = [(s.segment_id, s.position, s.loop_id, s.code, s.claim_id) for s in st.segments]
    assert found == [
        ("NM1", 17, "2010BA", "8", None),
        ("DMG", 20, "2010BA", "8", None),
        ("HL", 49, None, "8", None),  # HL03 99: a level the guide does not have
        ("CLM", 53, "2300", "8", "PCLM002"),
    ]
    assert st.segments[0].elements == [ElementError(element=9, code="1")]
    assert st.segments[1].elements == [ElementError(element=2, code="8", value="19801315")]
    assert st.segments[2].elements == [ElementError(element=3, code="7", value="99")]
    assert [e.element for e in st.segments[3].elements] == [5]
    out = _round_trip([ack])
    assert "IK3*CLM*53*2300*8~\nCTX*CLM01:PCLM002~\nIK4*5**7*6~" in out
    assert "IK3*HL*49**8~" in out
    assert "IK5*R*5~\nAK9*R*1*1*0~" in out


def test_tolerated_code_values_accept_with_errors() -> None:
    text = _837(_with(("SV1*HC:81002", "SV1*HC:81002*30*XX*2***1")))
    (ack,) = acknowledge(text)
    (st,) = ack.transaction_sets
    assert (st.status, st.error_codes, ack.status, ack.accepted) == (
        AckCode.ACCEPTED_WITH_ERRORS,
        ["I5"],
        AckCode.ACCEPTED_WITH_ERRORS,
        1,
    )
    (segment,) = st.segments
    assert (segment.segment_id, segment.claim_id, segment.elements[0].code) == (
        "SV1",
        "PCLM001",
        "7",
    )
    _round_trip([ack])


def test_envelope_faults_become_set_and_group_codes() -> None:
    text = _837(PROFESSIONAL).replace("SE*64*0001", "SE*9*0002").replace("GE*1*1", "GE*3*1")
    (ack,) = acknowledge(text)
    (st,) = ack.transaction_sets
    assert (st.status, st.error_codes, st.segments) == (AckCode.REJECTED, ["4", "3"], [])
    assert (ack.status, ack.included, ack.received, ack.accepted, ack.error_codes) == (
        AckCode.REJECTED,
        3,
        1,
        0,
        ["5"],
    )
    _round_trip([ack])


def test_groups_are_acknowledged_one_by_one() -> None:
    bad = _with(("CLM*PCLM003", "CLM**20***02:B:1"))
    text = render(
        interchange(
            [
                ("HC", "005010X222A1", [PROFESSIONAL, bad]),
                ("HP", "005010X221A1", [REMITTANCE]),
                ("FA", "005010X230", [["AK1*HC*1"]]),
            ]
        )
    )
    # A 999 of an older guide: not supported.
    text = text.replace("ST*837*0001*005010X230", "ST*999*0001*005010X230")
    claims, payments, unsupported = acknowledge(text)
    assert (claims.status, claims.received, claims.accepted) == (AckCode.PARTIALLY_ACCEPTED, 2, 1)
    assert [s.status for s in claims.transaction_sets] == [AckCode.ACCEPTED, AckCode.REJECTED]
    assert payments.status is AckCode.ACCEPTED
    assert unsupported.status is AckCode.REJECTED
    assert unsupported.transaction_sets[0].error_codes == ["1"]
    _round_trip([claims, payments, unsupported])


def test_reply_goes_back_to_the_sender() -> None:
    options = reply_options(sample("837P"), OPTIONS)
    assert (options.sender_id, options.receiver_id) == ("RECEIVER", "SENDER")


def test_hand_written_999_is_read() -> None:
    body = [
        "AK1*HC*17*005010X222A1",
        "AK2*837*0001*005010X222A1",
        "IK3*CLM*22*2300*8",
        "CTX*CLM01:ABC123",
        "IK4*5:3*1325*7*6",
        "IK4*2**8",
        "IK5*R*5*I5",
        "AK2*837*0002*005010X222A1",
        "IK5*A",
        "AK9*P*2*2*1",
    ]
    text = render(interchange([("FA", "005010X231A1", [body])])).replace(
        "ST*837*0001*005010X231A1", "ST*999*0001*005010X231A1"
    )
    (ack,) = parse(text)
    assert isinstance(ack, FunctionalGroupAck)
    assert (ack.group_control, ack.status, ack.included, ack.received, ack.accepted) == (
        "17",
        AckCode.PARTIALLY_ACCEPTED,
        2,
        2,
        1,
    )
    first, second = ack.transaction_sets
    assert (first.status, first.error_codes) == (AckCode.REJECTED, ["5", "I5"])
    (segment,) = first.segments
    assert (segment.segment_id, segment.position, segment.loop_id, segment.claim_id) == (
        "CLM",
        22,
        "2300",
        "ABC123",
    )
    assert segment.elements == [
        ElementError(element=5, component=3, reference="1325", code="7", value="6"),
        ElementError(element=2, code="8"),
    ]
    assert second.status is AckCode.ACCEPTED and second.segments == []


def test_malformed_999_is_located() -> None:
    body = ["AK1*HC*17*005010X222A1", "AK2*837*0001", "IK3*CLM*X**8", "IK5*Q", "AK9*A*1*1*1"]
    text = render(interchange([("FA", "005010X231A1", [body])])).replace("ST*837", "ST*999")
    problems = validate(text)
    assert [(p.segment, p.segment_id, p.element) for p in problems] == [(6, "IK3", 2)]
    body[2] = "IK3*CLM*5**8"
    text = render(interchange([("FA", "005010X231A1", [body])])).replace("ST*837", "ST*999")
    (problem,) = validate(text)
    assert (problem.segment, problem.segment_id, problem.element) == (7, "IK5", 1)


def test_cli_validate_writes_the_999(tmp_path: Path) -> None:
    path = tmp_path / "claims.837"
    path.write_text(_837(_with(("DMG*D8*19800215", "DMG*D8*19801315*F"))), encoding="utf-8")
    ack = tmp_path / "claims.999"
    result = CliRunner().invoke(app, ["validate", str(path), "--ack", str(ack)])
    assert result.exit_code == 1
    assert "999 written" in result.stderr and "group 1 R" in result.stderr
    text = ack.read_text()
    assert "*ZZ*RECEIVER       *ZZ*SENDER         *" in text
    (back,) = parse_acks(text)
    assert back.transaction_sets[0].segments[0].segment_id == "DMG"
    clean = tmp_path / "clean.837"
    clean.write_text(sample("837P"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(clean), "--ack", str(ack)])
    assert result.exit_code == 0
    assert next(parse_acks(ack)).status is AckCode.ACCEPTED


def test_truncated_file_lacks_its_trailers() -> None:
    text = _837(PROFESSIONAL)
    text = text[: text.index("SE*")]
    (ack,) = acknowledge(text)
    (st,) = ack.transaction_sets
    assert (st.status, st.error_codes, st.segments) == (AckCode.REJECTED, ["2"], [])
    assert (ack.status, ack.error_codes, ack.included, ack.received) == (
        AckCode.REJECTED,
        ["3"],
        1,
        1,
    )
    _round_trip([ack])


def test_balancing_problems_are_noted_not_rejected() -> None:
    text = sample("835").replace("CLP*PCLM001*1*180.5*150", "CLP*PCLM001*1*180.5*151")
    (ack,) = acknowledge(text)
    (st,) = ack.transaction_sets
    assert (st.status, st.error_codes) == (AckCode.ACCEPTED_WITH_ERRORS, ["I5"])
    assert {s.segment_id for s in st.segments} == {"CLP", "BPR"}
    assert ack.status is AckCode.ACCEPTED_WITH_ERRORS


def _loop_runs(set_id: str, version: str, body: list[str]) -> list[tuple[str | None, str]]:
    """(loop, the segments in it) for each run of segments of one loop, ST and SE included."""
    tracker = loop_tracker(set_id, version)
    assert tracker is not None
    runs: list[tuple[str | None, str]] = []
    for segment in ["ST*X", *body, "SE*1"]:
        el = segment.split("*")
        tag = el[0] + (f"*{el[1]}" if el[0] in ("NM1", "N1") else "")
        loop = tracker.see(el)
        if runs and runs[-1][0] == loop:
            runs[-1] = (loop, f"{runs[-1][1]} {tag}")
        else:
            runs.append((loop, tag))
    return runs


def test_loop_ids_of_an_837p() -> None:
    assert _loop_runs("837", "005010X222A1", PROFESSIONAL) == [
        (None, "ST BHT"),
        ("1000A", "NM1*41 PER"),
        ("1000B", "NM1*40"),
        ("2000A", "HL PRV"),
        ("2010AA", "NM1*85 N3 N4 REF"),
        ("2010AB", "NM1*87 N3 N4"),
        ("2000B", "HL SBR"),
        ("2010BA", "NM1*IL N3 N4 DMG"),
        ("2010BB", "NM1*PR"),
        ("2300", "CLM DTP REF REF HI"),
        ("2310A", "NM1*DN"),
        ("2310B", "NM1*82 PRV"),
        ("2310C", "NM1*77"),
        ("2320", "SBR"),
        ("2330A", "NM1*IL"),
        ("2330B", "NM1*PR REF"),
        ("2400", "LX SV1 DTP REF"),
        ("2420A", "NM1*82"),
        ("2400", "LX SV1 DTP"),
        ("2410", "LIN CTP"),
        ("2000B", "HL SBR"),
        ("2010BA", "NM1*IL"),
        ("2010BB", "NM1*PR"),
        ("2000C", "HL PAT"),
        ("2010CA", "NM1*QC DMG"),
        ("2300", "CLM REF HI"),
        ("2400", "LX SV1 DTP"),
        ("2300", "CLM HI"),
        ("2400", "LX SV1 DTP"),
        (None, "SE"),
    ]


def test_loop_ids_of_an_837i_835_and_277ca() -> None:
    assert _loop_runs("837", "005010X223A2", INSTITUTIONAL)[8:13] == [
        ("2300", "CLM DTP DTP DTP CL1 REF HI HI HI HI HI"),
        ("2310A", "NM1*71"),
        ("2310D", "NM1*82"),  # 2310B in an 837P: the institutional guide's table is used
        ("2310E", "NM1*77"),
        ("2400", "LX SV2 LX SV2 DTP"),
    ]
    assert _loop_runs("835", "005010X221A1", REMITTANCE) == [
        (None, "ST BPR TRN DTM"),
        ("1000A", "N1*PR N3 N4 REF"),
        ("1000B", "N1*PE"),
        ("2000", "LX"),
        ("2100", "CLP NM1*QC MOA"),
        ("2110", "SVC DTM CAS CAS REF SVC DTM CAS REF LQ LQ"),
        ("2100", "CLP CAS MIA"),
        (None, "PLB SE"),  # the summary table is in no loop
    ]
    runs = _loop_runs("277", "005010X214", CLAIM_ACK)
    assert [loop for loop, _ in runs] == [
        None,
        *("2000A", "2100A", "2200A", "2000B", "2100B", "2200B", "2000C", "2100C", "2200C"),
        *("2000D", "2100D", "2200D", "2000D", "2100D", "2200D", "2220D"),
        None,
    ]
    assert runs[9] == ("2200C", "TRN STC QTY QTY AMT AMT")
    assert loop_tracker("277", "005010X212") is None and loop_tracker("834", "005010X220A1") is None


def test_ik3_names_the_loop_in_every_known_guide() -> None:
    remittance = sample("835").replace("SVC*HC:81002*30*20**2", "SVC*HC:81002*30*2X**2")
    institutional = sample("837I").replace("XX*1992753880", "XX*" + "1992753880" * 6)
    claim_ack = sample("277CA").replace("AMT*YY*75", "AMT*YY*7X")
    cases = [(remittance, "SVC", "2110"), (institutional, "NM1", "2310D"),
             (claim_ack, "AMT", "2200C")]
    for text, segment_id, loop in cases:
        (ack,) = acknowledge(text)
        (segment,) = [s for s in ack.transaction_sets[0].segments if s.segment_id == segment_id]
        assert segment.loop_id == loop
        assert f"IK3*{segment_id}*{segment.position}*{loop}*8~" in _round_trip([ack])
