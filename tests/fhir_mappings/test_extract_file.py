"""Extracts are read whatever their encoding quirks; a file unusable as a whole says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from fhir_mappings.extract_file import ExtractFileError, read_header, read_rows


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "extract.csv"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "content",
    [
        b"a,b\n1,2\n3,4\n",
        b"\xef\xbb\xbfa,b\n1,2\n3,4\n",  # byte-order mark
        b"a,b\r\n1,2\r\n3,4\r\n",  # Windows line endings
        b"a,b\n1,2\n3,4\n\n\n",  # trailing empty lines
        b"a,b\n1,2\n3,4",  # no final line break
    ],
)
def test_encoding_quirks_read_the_same(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, content)
    assert read_header(path) == ["a", "b"]
    assert [(r.number, r.values) for r in read_rows(path)] == [(1, ("1", "2")), (2, ("3", "4"))]


def test_quoted_fields_keep_commas_quotes_and_line_breaks(tmp_path: Path) -> None:
    path = write(tmp_path, b'job,age\n"Driver, taxi",40\n"said ""hi""\nthen left",33\n')
    assert [r.values for r in read_rows(path)] == [
        ("Driver, taxi", "40"),
        ('said "hi"\nthen left', "33"),
    ]


def test_a_short_row_is_padded_and_a_long_one_kept_for_the_width_check(tmp_path: Path) -> None:
    path = write(tmp_path, b"a,b,c\n1\n1,2,3,4\n")
    assert [r.values for r in read_rows(path)] == [("1", "", ""), ("1", "2", "3", "4")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "extract.csv: the file is empty (no header row)"),
        (b"\n\n", "extract.csv: the file is empty (no header row)"),
        (b"2024-01-01,3400\n", "extract.csv: the first line is data, not a header"),
        (b"a,b,a\n1,2,3\n", "extract.csv: the header repeats a"),
        (
            "name\nZoë\n".encode("latin-1"),
            "extract.csv: not UTF-8 text; save the extract as UTF-8 and load it again",
        ),
    ],
)
def test_an_unusable_file_fails_whole_with_one_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ExtractFileError) as raised:
        list(read_rows(path))
    assert str(raised.value) == message
