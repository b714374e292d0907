"""The streaming tokenizer: delimiters from ISA, line breaks, chunks, several interchanges."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanclaim.standards.x12 import Delimiters, X12ParseError, iter_segments, tokenizer
from cleanclaim.standards.x12.tokenizer import sniff_delimiters

from .samples import PROFESSIONAL, interchange, render, sample

SEGMENTS = interchange([("HC", "005010X222A1", [PROFESSIONAL])])


def ids(text: str | bytes, **kw: int) -> list[str]:
    return [s.id for s in iter_segments(text, **kw)]


def test_delimiters_from_isa() -> None:
    text = render(SEGMENTS, sep="|", comp=">", rep="!", term="'")
    assert sniff_delimiters(text) == Delimiters("|", ">", "'", "!")


def test_positions_are_one_based_ordinals() -> None:
    segments = list(iter_segments(sample()))
    assert [s.position for s in segments] == list(range(1, len(SEGMENTS) + 1))
    assert segments[0].id == "ISA" and segments[-1].id == "IEA"
    assert segments[1].get(8) == "005010X222A1"
    assert segments[1].get(20) == ""


@pytest.mark.parametrize("eol", ["", "\n", "\r\n", "\r"])
@pytest.mark.parametrize(
    ("sep", "comp", "rep", "term"),
    [
        ("*", ":", "^", "~"),
        ("|", ">", "!", "'"),
        ("\x1d", "\x1f", "\x1e", "\x1c"),
        ("^", "\\", "{", "}"),
    ],
)
def test_unusual_delimiters_and_line_breaks(
    sep: str, comp: str, rep: str, term: str, eol: str
) -> None:
    text = render(SEGMENTS, sep=sep, comp=comp, rep=rep, term=term, eol=eol)
    segments = list(iter_segments(text))
    assert len(segments) == len(SEGMENTS)
    sv1 = next(s for s in segments if s.id == "SV1")
    assert sv1.get(1) == comp.join(["HC", "99214", "25", "GT"])


def test_newline_as_segment_terminator() -> None:
    text = render(SEGMENTS, term="\n", eol="")
    assert ids(text) == [s.split("*")[0] for s in SEGMENTS]
    crlf = render(SEGMENTS, term="\n", eol="").replace("\n", "\r\n")
    assert ids(crlf) == ids(text)


def test_wrapped_lines_are_joined() -> None:
    flat = render(SEGMENTS, eol="")
    wrapped = "\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    assert [s.elements for s in iter_segments(wrapped)] == [s.elements for s in iter_segments(flat)]


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=400))
def test_chunk_size_does_not_matter(size: int) -> None:
    text = render(SEGMENTS, eol="\r\n") + render(SEGMENTS, sep="|", term="'", eol="")
    expected = [(s.position, s.elements) for s in iter_segments(text)]
    assert [(s.position, s.elements) for s in iter_segments(text, chunk_size=size)] == expected
    assert len(expected) == 2 * len(SEGMENTS)


def test_interchanges_with_different_delimiters() -> None:
    text = render(SEGMENTS) + "\n" + render(SEGMENTS, sep="|", comp=">", term="\n", eol="")
    segments = list(iter_segments(text, chunk_size=64))
    assert [s.id for s in segments].count("ISA") == 2
    assert segments[-1].elements == ["IEA", "1", "000000001"]


def test_sources_path_bytes_and_streams(tmp_path: Path) -> None:
    text = sample()
    path = tmp_path / "claims.x12"
    path.write_text(text, encoding="utf-8")
    expected = ids(text)
    assert ids(text.encode()) == expected
    assert [s.id for s in iter_segments(path)] == expected
    assert [s.id for s in iter_segments(io.StringIO(text))] == expected
    assert [s.id for s in iter_segments(io.BytesIO(text.encode()))] == expected


def test_lenient_isa_without_padding() -> None:
    isa = "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*241201*1015*^*00501*000000001*0*P*:~"
    text = isa + "GS*HC~"
    assert sniff_delimiters(text).segment == "~"
    assert ids(text) == ["ISA", "GS"]


class _CountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.sizes.append(-1 if size is None else size)
        return super().read(size)


def test_reads_in_chunks_and_streams() -> None:
    data = (render(SEGMENTS) * 30).encode()
    stream = _CountingReader(data)
    segments = iter_segments(stream, chunk_size=1024)
    next(segments)
    # The first segment arrives long before the input is read through.
    assert stream.tell() < len(data) // 4
    sum(1 for _ in segments)
    assert all(0 <= size <= 1024 for size in stream.sizes)


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("GS*HC*X~", "does not start with an ISA"),
        ("ISA*00*short", "not 106"),
        (
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *241201*1015*^*"
            "00501*000000001*0*P*A~",
            "letter, a digit",
        ),
        (
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *241201*1015*^*"
            "00501*000000001*0*P***",
            "not distinct",
        ),
    ],
)
def test_unreadable_headers(text: str, cause: str) -> None:
    with pytest.raises(X12ParseError, match=cause) as info:
        list(iter_segments(text))
    assert info.value.segment == 1


def test_bytes_that_are_not_utf8_have_a_position() -> None:
    data = sample().encode().replace(b"JANE", b"J\xffNE")
    with pytest.raises(X12ParseError, match="not UTF-8") as info:
        list(iter_segments(data, chunk_size=4096))
    assert info.value.segment is not None


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(X12ParseError, match="cannot open"):
        list(iter_segments(tmp_path / "nope.x12"))


def test_runaway_segment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizer, "MAX_SEGMENT_LENGTH", 2000)
    text = render(SEGMENTS[:3]) + "NM1*" + "X" * 5000
    with pytest.raises(X12ParseError, match="no segment terminator") as info:
        list(iter_segments(text, chunk_size=512))
    assert (info.value.segment, info.value.segment_id) == (4, "NM1")
