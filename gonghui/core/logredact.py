"""A logging filter that masks what looks like a citizen ID number or a mainland mobile
number in any log line — a second line of defence behind code that never logs them (a URL
with a full number in its query string, an exception message quoting a value)."""

from __future__ import annotations

import logging
import re

# 18-digit IDs (last may be X) and 15-digit legacy IDs; 11-digit mobiles starting 1[3-9];
# not inside a longer run of digits or letters (hashes, tokens)
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8,11}([0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)\d{4}(\d{4})(?![0-9A-Za-z])")


def redact(text: str) -> str:
    text = _ID.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record that cannot format is left to the handler
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True
