from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.identifiers import (
    citizen_id_check_char,
    normalise,
    normalise_mobile,
    parse_citizen_id,
    uscc_with_check,
    validate_uscc,
)


def test_gb_example_is_valid_female() -> None:
    cid = parse_citizen_id("11010519491231002X")
    assert cid.number == "11010519491231002X"
    assert cid.birth_date == date(1949, 12, 31)
    assert cid.sex == "F"
    assert cid.warnings == []


def test_fullwidth_spaces_and_lowercase_x_are_normalised() -> None:
    raw = " １１０１０５ １９４９１２３１ ００２ｘ "
    assert parse_citizen_id(raw).number == "11010519491231002X"


def test_fifteen_digit_number_is_upgraded() -> None:
    cid = parse_citizen_id("110105491231002")
    assert cid.number == "11010519491231002X"
    assert cid.upgraded_from == "110105491231002"


def test_wrong_check_character_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_citizen_id("110105194912310021")
    assert exc.value.code == "checksum"


def test_impossible_birth_date_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_citizen_id("110105194902300021")
    assert exc.value.code == "birth_date"


def test_bad_format_is_rejected_without_echoing_the_full_number() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_citizen_id("37170219900101123")
    assert exc.value.code == "format"
    assert "37170219900101123" not in exc.value.messages[0]


def test_unknown_region_is_only_a_warning() -> None:
    body = "99010519491231002"
    cid = parse_citizen_id(body + citizen_id_check_char(body))
    assert cid.warnings and "990105" in cid.warnings[0]


def test_old_heze_region_code_passes() -> None:
    # 371727 (定陶县 before 2016) on someone born in 1980: valid, no warning for the province
    body = "37172719800101123"
    assert parse_citizen_id(body + citizen_id_check_char(body)).warnings == []


def test_uscc_valid_and_invalid() -> None:
    code = uscc_with_check("91371700MA3C12345")
    assert validate_uscc(code.lower()) == code
    with pytest.raises(ValidationError):
        validate_uscc(code[:-1] + ("0" if code[-1] != "0" else "1"))


def test_mobile_numbers() -> None:
    assert normalise_mobile("+86 138-0013-8000") == "13800138000"
    assert normalise_mobile("１３８００１３８０００") == "13800138000"
    with pytest.raises(ValidationError):
        normalise_mobile("12800138000")
    with pytest.raises(ValidationError):
        normalise_mobile("1380013800")


def test_normalise_strips_ideographic_space() -> None:
    assert normalise("a\u3000b c") == "ABC"


def test_check_character_agrees_with_stdnum() -> None:
    import random

    from stdnum.cn import ric

    from gonghui.core.identifiers import citizen_id_check_char

    rng = random.Random(3)
    for _ in range(5000):
        body = "".join(rng.choices("0123456789", k=17))
        assert citizen_id_check_char(body) == str(ric.calc_check_digit(body + "0"))


def test_normalise_fast_path_agrees_with_nfkc() -> None:
    """Plain ASCII letters and digits skip NFKC; the result is what NFKC would give."""
    import unicodedata

    from gonghui.core.identifiers import _STRIP, normalise

    for text in ("37170219900101123x", "13800138000", "abcXYZ09", "", "0", "ｘ１２", "1-2 3"):
        assert normalise(text) == _STRIP.sub("", unicodedata.normalize("NFKC", text)).upper()
    assert normalise(None) == ""
    assert normalise(42000) == "42000"
