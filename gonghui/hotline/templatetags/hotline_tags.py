"""The hotline's small marks, shared by the queue, the order page and the member portal: the
yellow or red card of an open order and the status badge. Tags, not included templates: the
queue draws them on every row."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import Status

register = template.Library()

CARD_TITLES = {"red": gettext_noop("红牌：已超期"), "yellow": gettext_noop("黄牌：即将到期")}


@register.simple_tag
def card_flag(card: str, status: str = "") -> SafeString:
    """The order's card (``red`` / ``yellow``), nothing for no card or a closed order."""
    if card not in CARD_TITLES or status == Status.CLOSED:
        return SafeString("")
    title = _(CARD_TITLES[card])
    return format_html(
        '<span class="card-flag {0}" title="{1}" data-card="{0}"></span>', card, title
    )


STATUS_LABELS = {s.value: s.label for s in Status}


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """The order's status as a badge, its label in the user's language."""
    label = STATUS_LABELS.get(status, status)
    return format_html('<span class="status s-{}" data-testid="status">{}</span>', status, label)
