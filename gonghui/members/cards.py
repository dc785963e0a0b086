"""QR codes of the registry: a union's join code and the member's electronic card.

- ``qr_svg(text)``: an inline SVG (segno), scalable by CSS, no image files and no CDN.
- ``card_token(member)`` / ``card_member_id(token)``: the e-card's QR encodes a verification
  URL carrying a signed, timestamped member id (``django.core.signing``). The id alone says
  nothing; the signature stops anyone from forging a card for another id, and the time limit
  makes a screenshot of yesterday's card useless (``CARD_TOKEN_MAX_AGE``).
- ``member_number(member)``: the number printed on the card.
"""

from __future__ import annotations

from typing import Any

import segno
from django.core import signing

CARD_SALT = "gonghui.members.card"
# A card shown on the phone is re-signed every time the page opens; a day is generous.
CARD_TOKEN_MAX_AGE = 24 * 60 * 60


class CardTokenExpired(Exception):
    pass


def qr_svg(text: str, *, title: str = "") -> str:
    """``text`` as an inline ``<svg>`` with a viewBox (sized by CSS)."""
    qr = segno.make(text, error="m", micro=False)
    return str(
        qr.svg_inline(
            scale=1,
            border=2,
            omitsize=True,
            title=title or None,
            svgclass="qr",
            lineclass=None,
            light="#fff",
        )
    )


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
