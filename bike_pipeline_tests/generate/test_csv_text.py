import csv
import io

import pytest

from bike_pipeline.generate.csv_text import encode_lines, join_fields, quote, raw_byte


@pytest.mark.parametrize(
    "value",
    ["plain", "", "Kerkstraat, achterom", 'Johannes "Hans"', 'a,"b",c', "twee\nregels", "Aimée"],
)
def test_quoted_fields_read_back_unchanged_by_the_csv_module(value: str) -> None:
    line = ",".join([quote(value), quote("x")])
    assert next(csv.reader(io.StringIO(line))) == [value, "x"]


def test_only_fields_that_need_it_are_quoted() -> None:
    assert quote("van 't Riet") == "van 't Riet"
    assert quote("a,b") == '"a,b"'


def test_placeholder_becomes_one_undecodable_byte() -> None:
    data = encode_lines([f"Caf{raw_byte(0xE9)}", "ok"])
    assert data == b"Caf\xe9\nok\n"
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_ascii_bytes_are_not_placeholders() -> None:
    with pytest.raises(ValueError):
        raw_byte(0x41)


def test_join_fields_makes_one_line_per_row() -> None:
    assert join_fields([["1", "2"], ["a", '"b,c"']]) == ["1,a", '2,"b,c"']
