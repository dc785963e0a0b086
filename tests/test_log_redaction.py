"""The log handlers' filter masks ID numbers and mobiles that reach a log line (a full
number in a URL's query string, an exception quoting a value); the code itself logs none
(``test_files_on_disk.test_no_plain_id_number_or_mobile_in_any_log_line``)."""

from __future__ import annotations

import io
import logging
import logging.config

from django.conf import settings

from gonghui.core.logredact import redact

from .test_members_pages import ID_WANG, PHONE_WANG


def test_the_configured_handlers_mask_ids_and_mobiles() -> None:
    stream = io.StringIO()
    handlers = settings.LOGGING["handlers"]
    config = {
        **settings.LOGGING,
        "handlers": {name: {**handler, "stream": stream} for name, handler in handlers.items()},
    }
    logging.config.dictConfig(config)
    try:
        logging.getLogger("django.server").info(
            '"GET /members/?q=%s HTTP/1.1" 200 %s', ID_WANG, 1234
        )
        logging.getLogger("django.request").warning("caller %s about %s", PHONE_WANG, "欠薪")
        logging.getLogger("gonghui").error("legacy 370102800101123 and %s", "a" * 40 + ID_WANG)
    finally:
        logging.config.dictConfig(settings.LOGGING)
    out = stream.getvalue()
    assert ID_WANG not in out.replace("a" * 40 + ID_WANG, "") and PHONE_WANG not in out
    assert f"/members/?q={ID_WANG[:6]}********{ID_WANG[-1]} HTTP/1.1" in out
    assert f"caller {PHONE_WANG[:3]}****{PHONE_WANG[-4:]} about 欠薪" in out
    assert "legacy 370102********3 and" in out
    assert "a" * 40 + ID_WANG in out  # inside a longer token: not a number by itself
    assert redact("共 1234 行，订单 2020123") == "共 1234 行，订单 2020123"
