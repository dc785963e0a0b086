"""Periods: the one helper behind every page and API that takes a period.

A period is a preset — 本月, 本季度, 本年 (each up to today), 上年 (the whole of last year) — or
any range of dates, both ends included. Every period is bounded: it starts no earlier than
``settings.PERIOD_EARLIEST`` (2000-01-01 by default), ends no later than the end of this year,
spans at most ``settings.PERIOD_MAX_YEARS`` years (10 by default), and does not end before it
starts; beyond that, ``InvalidInput`` names the field (422 in the API, the form's error on a
page), so no request can ask for a century of months; a month-by-month series spans at
most ``settings.PERIOD_TREND_MONTHS`` months (36 by default; the dashboard shows the last
ones of a longer period).

Pages remember the period a user last chose in their session (``period_for_page``): the
report, the dashboard, the hotline statistics and the home page open on it. The API is
stateless: a request without a period gets 本年.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .errors import InvalidInput

# key → label, in the order the picker shows them
PRESETS: tuple[tuple[str, str], ...] = (
    ("month", gettext_noop("本月")),
    ("quarter", gettext_noop("本季度")),
    ("year", gettext_noop("本年")),
    ("last_year", gettext_noop("上年")),
)
PRESET_KEYS = tuple(key for key, _label in PRESETS)
DEFAULT_PRESET = "year"
SESSION_KEY = "gonghui.period"


def earliest() -> date:
    value = getattr(settings, "PERIOD_EARLIEST", date(2000, 1, 1))
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def max_years() -> int:
    return int(getattr(settings, "PERIOD_MAX_YEARS", 10))


def trend_months() -> int:
    return int(getattr(settings, "PERIOD_TREND_MONTHS", 36))


def months_between(start: date, end: date) -> int:
    """How many calendar months ``start``..``end`` touches (both included)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def check_trend(start: date, end: date, *, start_field: str = "from") -> None:
    """A month-by-month series computes every figure once a month: at most
    ``settings.PERIOD_TREND_MONTHS`` months (36 by default)."""
    limit = trend_months()
    if months_between(start, end) > limit:
        raise InvalidInput.one(start_field, _("逐月趋势不能超过%(n)s个月") % {"n": limit})


def trend_start(start: date, end: date) -> date:
    """Where a page's month-by-month series starts: the period's start, or the first of the
    last ``PERIOD_TREND_MONTHS`` months when the period is longer."""
    limit = trend_months()
    if months_between(start, end) <= limit:
        return start
    index = end.year * 12 + end.month - limit  # months since year 0 of the first month
    return date(index // 12, index % 12 + 1, 1)


def latest(today: date | None = None) -> date:
    """The last day a period may reach: the end of this year."""
    today = today or timezone.localdate()
    return date(today.year, 12, 31)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    preset: str = ""  # a key of PRESETS, or "" for a range of dates

    @property
    def label(self) -> str:
        """本年 / 上年 … for a preset, else ``2020-01-01 至 2020-09-19``."""
        if self.preset:
            return _(dict(PRESETS)[self.preset])
        return _("%(start)s 至 %(end)s") % {"start": self.start, "end": self.end}

    def query(self, start_name: str = "from", end_name: str = "to") -> str:
        """The query string that asks for this period again (a preset by its key)."""
        if self.preset:
            return urlencode({"period": self.preset})
        return urlencode({start_name: self.start.isoformat(), end_name: self.end.isoformat()})


def preset(key: str, today: date | None = None) -> Period:
    """A preset as of ``today``: this month, quarter or year so far, or the whole last year."""
    today = today or timezone.localdate()
    if key == "month":
        return Period(today.replace(day=1), today, key)
    if key == "quarter":
        first_month = (today.month - 1) // 3 * 3 + 1
        return Period(date(today.year, first_month, 1), today, key)
    if key == "year":
        return Period(date(today.year, 1, 1), today, key)
    if key == "last_year":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), key)
    raise InvalidInput.one("period", _("可选：本月、本季度、本年、上年"))


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check(
    start: date,
    end: date,
    *,
    start_field: str = "from",
    end_field: str = "to",
    today: date | None = None,
) -> None:
    """Refuse a period beyond the bounds, naming the field that is beyond them."""
    first, last = earliest(), latest(today)
    if start < first:
        raise InvalidInput.one(
            start_field, _("起始日期不能早于%(day)s") % {"day": first.isoformat()}
        )
    if start > last:
        raise InvalidInput.one(
            start_field, _("起始日期不能晚于%(day)s") % {"day": last.isoformat()}
        )
    if end > last:
        raise InvalidInput.one(end_field, _("截止日期不能晚于%(day)s") % {"day": last.isoformat()})
    if end < first:
        raise InvalidInput.one(end_field, _("截止日期不能早于%(day)s") % {"day": first.isoformat()})
    if start > end:
        raise InvalidInput.one(end_field, _("截止日期不能早于起始日期"))
    years = max_years()
    if end >= years_later(start, years):
        raise InvalidInput.one(start_field, _("统计期间不能超过%(n)s年") % {"n": years})


def check_filter(
    start: date | None,
    end: date | None,
    *,
    start_field: str = "from",
    end_field: str = "to",
) -> None:
    """A list's date filter, either end optional: each end within the bounds and in order
    (no limit on the span: a filter narrows a list, it does not compute per month)."""
    first, last = earliest(), latest()
    for day, name in ((start, start_field), (end, end_field)):
        if day is not None and not first <= day <= last:
            raise InvalidInput.one(
                name,
                _("日期须在%(first)s至%(last)s之间")
                % {"first": first.isoformat(), "last": last.isoformat()},
            )
    if start is not None and end is not None and start > end:
        raise InvalidInput.one(end_field, _("截止日期不能早于起始日期"))


def resolve(
    *,
    period: str = "",
    start: date | None = None,
    end: date | None = None,
    start_field: str = "from",
    end_field: str = "to",
    today: date | None = None,
) -> Period:
    """The period a request asks for: a preset by its key, else the dates given (a missing
    end is today, a missing start the first of January of the end's year), else 本年.
    Checked against the bounds."""
    today = today or timezone.localdate()
    if period and not (start or end):
        result = preset(period, today)
    elif start or end:
        end = end or min(today, latest(today))
        start = start or date(end.year, 1, 1)
        result = Period(start, end)
    else:
        result = preset(DEFAULT_PRESET, today)
    check(result.start, result.end, start_field=start_field, end_field=end_field, today=today)
    return result


def _parse(value: str, field: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.one(field, _("请输入正确的日期，如 2020-01-01")) from None


def period_for_page(
    request: Any,
    *,
    start_field: str = "from",
    end_field: str = "to",
    params: Mapping[str, str] | None = None,
) -> Period:
    """The period of a page: the one its query string asks for (``period=<preset>``, or
    ``<start_field>`` / ``<end_field>`` dates), remembered in the user's session for every
    page that takes a period; without one, the period the user chose last; else 本年.
    A remembered range that has gone out of bounds falls back to 本年."""
    params = request.GET if params is None else params
    key = (params.get("period") or "").strip()
    start = _parse(params.get(start_field) or "", start_field)
    end = _parse(params.get(end_field) or "", end_field)
    session = getattr(request, "session", None)
    if key or start or end:
        chosen = resolve(
            period=key, start=start, end=end, start_field=start_field, end_field=end_field
        )
        if session is not None:
            session[SESSION_KEY] = _remember(chosen)
        return chosen
    remembered = session.get(SESSION_KEY) if session is not None else None
    if session is not None and isinstance(remembered, dict):
        try:
            return _recall(remembered)
        except (InvalidInput, ValueError, TypeError, KeyError):
            session.pop(SESSION_KEY, None)
    return resolve()


def _remember(period: Period) -> dict[str, str]:
    if period.preset:  # a preset moves with the calendar: 本月 stays this month
        return {"period": period.preset}
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


def _recall(saved: dict[str, Any]) -> Period:
    if saved.get("period"):
        return resolve(period=str(saved["period"]))
    return resolve(start=date.fromisoformat(saved["from"]), end=date.fromisoformat(saved["to"]))


def picker(
    period: Period,
    *,
    start_field: str = "from",
    end_field: str = "to",
    org_field: str = "",
    org_value: str = "",
) -> dict[str, Any]:
    """What ``_period.html`` shows: a link per preset (the current one marked, each keeping
    the org the page shows), the range's two date fields and, when the page takes an org,
    its box (``org_field``)."""
    keep = {org_field: org_value} if org_field and org_value else {}
    return {
        "presets": [
            {
                "key": key,
                "label": _(label),
                "current": period.preset == key,
                "query": urlencode({**keep, "period": key}),
            }
            for key, label in PRESETS
        ],
        "start": period.start,
        "end": period.end,
        "start_field": start_field,
        "end_field": end_field,
        "earliest": earliest(),
        "latest": latest(),
        "label": period.label,
        "org_field": org_field,
        "org_value": org_value,
    }
