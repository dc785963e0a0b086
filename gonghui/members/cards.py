"""QR codes of the registry: a union's join code and the member's electronic card.

- ``qr_svg(text)``: from ``core.qr``, the one maker of QR codes.
- ``card_token(member)`` / ``card_member_id(token)``: the e-card's QR encodes a verification
  URL carrying a signed, timestamped member id (``django.core.signing``). The id alone says
  nothing; the signature stops anyone from forging a card for another id, and the time limit
  makes a screenshot of yesterday's card useless (``CARD_TOKEN_MAX_AGE``).
- ``member_number(member)``: the number printed on the card.
"""

from __future__ import annotations

from typing import Any

from django.core import signing

from gonghui.core.qr import qr_svg  # noqa: F401  (kept here for the registry's callers)

CARD_SALT = "gonghui.members.card"
# A card shown on the phone is re-signed every time the page opens; a day is generous.
CARD_TOKEN_MAX_AGE = 24 * 60 * 60


class CardTokenExpired(Exception):
    pass


def card_token(member: Any) -> str:
    return signing.dumps({"m": member.pk}, salt=CARD_SALT, compress=True)


def card_member_id(token: str, *, max_age: int = CARD_TOKEN_MAX_AGE) -> int | None:
    """The member id a token was signed for; None when forged; raises CardTokenExpired when
    the signature is good but too old."""
    try:
        data = signing.loads(token, salt=CARD_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise CardTokenExpired() from exc
    except signing.BadSignature:
        return None
    member_id = data.get("m") if isinstance(data, dict) else None
    return member_id if isinstance(member_id, int) else None


def member_number(member: Any) -> str:
    """The card number: the registry id, zero-padded (stable for life, also after a transfer)."""
    return f"{member.pk:010d}"
