from gonghui.core.masking import mask_id_number, mask_name, mask_phone, mask_text


def test_masks() -> None:
    assert mask_id_number("37170219900101123X") == "**************123X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_name("王小强") == "王*强"
    assert mask_name("王强") == "王*"
    assert mask_text("心理咨询内容") == "[已隐藏 6 字]"
    assert mask_id_number("") == "" and mask_phone(None) == ""
