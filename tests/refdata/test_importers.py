"""Importers on small files in the official layouts, including their awkward parts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cleanclaim.errors import InputError
from cleanclaim.refdata import Origin, RefKind, parse_files

from .files import AMA_NOTICE, PTP_HEADER, order_line, ptp_tab, write_text

PTP_ROWS = [
    ["10060", "11401", "", "20240401", "20250101", "1", "Mutually exclusive procedures"],
    ["10060", "J2001", "*", "19960101", "*", "0", "Standards of medical / surgical practice"],
    ["36415", "36416", "", "20230101", "20230101", "9", "Misuse of column two code"],
]


def test_ptp_tab_file_with_notice_line(tmp_path: Path) -> None:
    parsed = parse_files(RefKind.PTP_PRACTITIONER, [ptp_tab(tmp_path / "f1.txt", PTP_ROWS)])
    frame = parsed.frame
    assert frame.columns == [
        "column1", "column2", "pre_1996", "effective_date", "deletion_date",
        "modifier_indicator", "rationale",
    ]
    assert frame.rows() == [
        ("10060", "11401", False, date(2024, 4, 1), date(2025, 1, 1), 1,
         "Mutually exclusive procedures"),
        ("10060", "J2001", True, date(1996, 1, 1), None, 0,
         "Standards of medical / surgical practice"),
        ("36415", "36416", False, date(2023, 1, 1), date(2023, 1, 1), 9,
         "Misuse of column two code"),
    ]
    assert parsed.origin is Origin.IMPORTED
    assert parsed.release == "2024Q2" and parsed.effective_from == date(2024, 4, 1)


def test_ptp_csv_with_quoted_multiline_copyright_cell(tmp_path: Path) -> None:
    notice = '"CPT codes, descriptions and other data only are copyright 2025\nAmerican ' \
             'Medical Association, all rights reserved.",,,,,,'
    header = ",".join(f'"{h}"' for h in PTP_HEADER)
    rows = [",".join(r) for r in PTP_ROWS[:2]]
    path = write_text(tmp_path / "ptp.csv", [notice, header, *rows, "36415,BAD!,,20240101,*,1,x"])
    with pytest.raises(InputError) as err:
        parse_files(RefKind.PTP_HOSPITAL, [path])
    # Notice spans lines 1-2, header line 3, data lines 4-5: the bad row is line 6.
    assert "ptp.csv, line 6: column 2 is not a HCPCS/CPT code" in str(err.value)
    path = write_text(tmp_path / "ptp.csv", [notice, header, *rows, ""])
    frame = parse_files(RefKind.PTP_HOSPITAL, [path]).frame
    assert frame["column2"].to_list() == ["11401", "J2001"]


def test_ptp_old_layout_with_header_spread_over_lines(tmp_path: Path) -> None:
    lines = [
        AMA_NOTICE,
        "Column1/Column 2 Edits",
        "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\t"
        "Modifier\tPTP Edit Rationale",
        "\t\t\t\t*=no data\t0=not allowed\t",
        "\t\t\t\t\t1=allowed\t",
        "\t\t\t\t\t9=not applicable\t",
        *["\t".join(r) for r in PTP_ROWS],
    ]
    frame = parse_files(RefKind.PTP_PRACTITIONER, [write_text(tmp_path / "old.txt", lines)]).frame
    assert frame.height == 3 and frame["modifier_indicator"].to_list() == [1, 0, 9]


def test_ptp_several_parts_form_one_release(tmp_path: Path) -> None:
    parts = [
        ptp_tab(tmp_path / "f1.txt", PTP_ROWS[:1]),
        ptp_tab(tmp_path / "f2.txt", PTP_ROWS[1:], preamble=[AMA_NOTICE, "second notice line"]),
    ]
    assert parse_files(RefKind.PTP_PRACTITIONER, parts).frame.height == 3


@pytest.mark.parametrize(
    ("row", "cause"),
    [
        (["10060", "11401", "", "2024-04-01", "*", "1", "x"], "effective date is not a YYYYMMDD"),
        (["10060", "11401", "", "20240401", "", "1", "x"], "deletion date is empty"),
        (["10060", "11401", "", "20240401", "never", "1", "x"], "neither * nor a YYYYMMDD"),
        (["10060", "11401", "", "20240401", "20240101", "1", "x"], "before the effective date"),
        (["10060", "11401", "", "20240401", "*", "2", "x"], "modifier indicator must be 0, 1"),
        (["10060", "11401", "Y", "20240401", "*", "1", "x"], "pre-1996 flag"),
        (["1006", "11401", "", "20240401", "*", "1", "x"], "column 1 is not a HCPCS/CPT code"),
        (["10060", "11401", "", "20240401", "*", "1", "x", "extra"], "more cells than"),
        (["", "11401", "", "20240401", "*", "1", "x"], "column 1 code is empty"),
    ],
)
def test_ptp_bad_cell_names_file_line_and_cause(
    tmp_path: Path, row: list[str], cause: str
) -> None:
    path = ptp_tab(tmp_path / "bad.txt", [PTP_ROWS[0], row])
    with pytest.raises(InputError) as err:
        parse_files(RefKind.PTP_PRACTITIONER, [path])
    assert "bad.txt, line 4:" in str(err.value) and cause in str(err.value)


def test_file_without_header_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path / "notes.txt", ["just some text", "no table here"])
    with pytest.raises(InputError, match=r"notes\.txt: no header row found"):
        parse_files(RefKind.PTP_PRACTITIONER, [path])


MUE_HEADER = ("HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,"
              "MUE Rationale")


def test_mue_csv_parses_the_indicator_digit(tmp_path: Path) -> None:
    path = write_text(tmp_path / "mue.csv", [
        f'"{AMA_NOTICE}"', MUE_HEADER,
        "0001U,1,2 Date of Service Edit: Policy,CMS Policy",
        "11401,3,3 Date of Service Edit: Clinical,Anatomic Consideration",
        "J2001,100,1 Line Edit,Clinical: Data",
        "11401,3,3 Date of Service Edit: Clinical,Anatomic Consideration",
    ])
    frame = parse_files(RefKind.MUE_PRACTITIONER, [path]).frame
    assert frame.rows() == [
        ("0001U", 1, 2, "CMS Policy"),
        ("11401", 3, 3, "Anatomic Consideration"),
        ("J2001", 100, 1, "Clinical: Data"),
    ]


def test_mue_tab_file_and_errors(tmp_path: Path) -> None:
    header = ("HCPCS/CPT Code\tOutpatient Hospital Services MUE Values\t"
              "MUE Adjudication Indicator\tMUE Rationale")
    good = write_text(tmp_path / "oph.txt", [AMA_NOTICE, header, "11401\t2\t1 Line Edit\tx"])
    assert parse_files(RefKind.MUE_FACILITY, [good]).frame["mue_value"].to_list() == [2]
    bad = write_text(tmp_path / "oph.txt", [AMA_NOTICE, header, "11401\t2\tLine Edit\tx"])
    with pytest.raises(InputError, match=r"oph\.txt, line 3: MUE adjudication indicator"):
        parse_files(RefKind.MUE_FACILITY, [bad])
    clash = write_text(tmp_path / "oph.txt", [AMA_NOTICE, header, "11401\t2\t1 Line Edit\tx",
                                              "11401\t4\t1 Line Edit\tx"])
    with pytest.raises(InputError, match=r"oph\.txt, line 4: code 11401 appears twice"):
        parse_files(RefKind.MUE_FACILITY, [clash])


def test_icd10cm_order_file_fixed_width(tmp_path: Path) -> None:
    path = write_text(tmp_path / "icd10cm_order_2025.txt", [
        order_line(1, "A00", "0", "Cholera", "Cholera"),
        order_line(2, "A000", "1", "Cholera d/t vib cholerae", "Cholera due to Vibrio cholerae"),
        order_line(3, "E119", "1", "Type 2 diabetes mellitus w/o complications",
                   "Type 2 diabetes mellitus without complications"),
    ])
    parsed = parse_files(RefKind.ICD10CM, [path])
    assert parsed.release == "FY2025"
    assert (parsed.effective_from, parsed.effective_before) == (date(2024, 10, 1),
                                                                date(2025, 10, 1))
    assert parsed.frame.rows()[2] == (
        "E119", True, "Type 2 diabetes mellitus w/o complications",
        "Type 2 diabetes mellitus without complications", "E11", None,
    )
    assert parsed.frame["parent"].to_list() == [None, "A00", None]  # E11 is not in this file
    assert parsed.frame["billable"].to_list() == [False, True, True]


def test_icd10cm_order_file_bad_flag(tmp_path: Path) -> None:
    path = write_text(tmp_path / "icd10cm_order_2025.txt", [
        order_line(1, "A00", "0", "Cholera", "Cholera"), order_line(2, "A000", "Y", "x", "x"),
    ])
    with pytest.raises(InputError, match=r"line 2: column 15 \(billable flag\)"):
        parse_files(RefKind.ICD10CM, [path])


def test_hcpcs_csv_with_continuation_records(tmp_path: Path) -> None:
    path = write_text(tmp_path / "hcpcs.csv", [
        "HCPC,SEQNUM,RECID,SHORT DESCRIPTION,ADD DT,TERM DT",
        "A0021,00100,3,Outside state ambulance,19900101,",
        "A0021,00200,4,,,",
        "G0001,00100,3,Drawing blood,19900101,20121231",
        "LT,00100,7,Left side,19900101,",
    ])
    frame = parse_files(RefKind.HCPCS, [path]).frame
    assert frame.rows() == [
        ("A0021", date(1990, 1, 1), None, "Outside state ambulance"),
        ("G0001", date(1990, 1, 1), date(2012, 12, 31), "Drawing blood"),
        ("LT", date(1990, 1, 1), None, "Left side"),
    ]


def test_cpt_list_keeps_codes_only(tmp_path: Path) -> None:
    path = write_text(tmp_path / "cpt.csv", [
        "code,descriptor", "99213,Some licensed descriptor text", '"0001F","quoted"', "36415",
    ])
    frame = parse_files(RefKind.CPT, [path]).frame
    assert frame.columns == ["code"] and frame["code"].to_list() == ["99213", "0001F", "36415"]
    bad = write_text(tmp_path / "cpt.csv", ["99213", "9921"])
    with pytest.raises(InputError, match=r"cpt\.csv, line 2: not a CPT code"):
        parse_files(RefKind.CPT, [bad])


def test_taxonomy_csv(tmp_path: Path) -> None:
    path = write_text(tmp_path / "nucc.csv", [
        "Code,Grouping,Classification,Specialization,Definition,Notes,Display Name,Section",
        '207Q00000X,Allopathic & Osteopathic Physicians,Family Medicine,,"long, text",,x,'
        "Individual",
        "207RC0000X,Allopathic & Osteopathic Physicians,Internal Medicine,Cardiovascular Disease,"
        ",,,Individual",
    ])
    frame = parse_files(RefKind.TAXONOMY, [path]).frame
    assert frame.columns == ["code", "grouping", "classification", "specialization"]
    assert frame.row(1)[3] == "Cardiovascular Disease"
    assert frame.filter(pl.col("code") == "207Q00000X")["specialization"].to_list() == [None]


def test_crlf_line_ends_and_byte_order_mark(tmp_path: Path) -> None:
    ptp = tmp_path / "crlf.txt"
    lines = [AMA_NOTICE, "\t".join(PTP_HEADER), *["\t".join(r) for r in PTP_ROWS]]
    ptp.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    frame = parse_files(RefKind.PTP_PRACTITIONER, [ptp]).frame
    assert frame["rationale"].to_list()[0] == "Mutually exclusive procedures"
    assert frame["deletion_date"].to_list()[1] is None
    hcpcs = tmp_path / "bom.csv"
    hcpcs.write_bytes("\ufeffHCPC,ADD DT,TERM DT\r\nA0021,19900101,\r\n".encode())
    assert parse_files(RefKind.HCPCS, [hcpcs]).frame["code"].to_list() == ["A0021"]
    cpt = tmp_path / "cpt.txt"
    cpt.write_bytes("\ufeff99213\r\n99214\r\n".encode())
    assert parse_files(RefKind.CPT, [cpt]).frame["code"].to_list() == ["99213", "99214"]


def test_empty_key_right_after_header_is_not_skipped(tmp_path: Path) -> None:
    path = ptp_tab(tmp_path / "gap.txt", [["", "11401", "", "20240401", "*", "1", "x"]])
    with pytest.raises(InputError, match=r"gap\.txt, line 3: column 1 code is empty"):
        parse_files(RefKind.PTP_PRACTITIONER, [path])
