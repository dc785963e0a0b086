"""QR codes, written once: the join code, the member's card, a meeting's or an event's check-in
code and a place's door code are all an inline SVG made here (segno), scalable by CSS, with
no image files and nothing loaded from outside."""

from __future__ import annotations

import segno
from django.http import HttpResponse


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


def qr_response(text: str, *, title: str = "") -> HttpResponse:
    """The code as a stand-alone SVG answer (for ``<img src>`` and for printing)."""
    response = HttpResponse(qr_svg(text, title=title), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def qr_modules(text: str) -> list[list[bool]]:
    """The code's dark modules row by row (quiet zone excluded), for drawing it in a PDF."""
    qr = segno.make(text, error="m", micro=False)
    return [[bool(cell) for cell in row] for row in qr.matrix]
