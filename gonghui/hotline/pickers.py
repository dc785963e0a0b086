"""The topic picker (``core.pickers``): the active 问题分类, open to every signed-in user (the
member's portal files orders too). Its value is the topic's code, which the services take."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers
from gonghui.core.pickers import Option

from .models import Topic
from .selectors import topics_active


def _option(topic: Topic) -> Option:
    return Option(topic.code, topic.name, topic.parent.name if topic.parent is not None else "")


def topic_options(user: Any, q: str, limit: int) -> list[Option]:
    if not getattr(user, "is_authenticated", False):
        return []
    # second-level topics first: they are what an order is filed under
    topics = sorted(topics_active(), key=lambda t: (t.parent_id is None, t.sort, t.code))
    best = pickers.ranked(q, topics, lambda t: (t.name, t.code), limit)
    return [_option(t) for t in best]


def topic_resolve(user: Any, value: str) -> Option | None:
    if not getattr(user, "is_authenticated", False):
        return None
    topic = topics_active().filter(code=value.strip()).first()
    return _option(topic) if topic else None


pickers.register("topic", label=_("问题分类"), search=topic_options, resolve=topic_resolve)
