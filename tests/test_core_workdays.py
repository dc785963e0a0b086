from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.models import WorkdayOverride
from gonghui.core.workdays import add_workdays, is_workday, workdays_between

pytestmark = pytest.mark.django_db


def test_national_day_week_and_makeup_saturday_2020() -> None:
    # 2020: 1–8 October off, Sunday 27 September and Saturday 10 October were makeup workdays
    assert not is_workday(date(2020, 10, 5))
    assert is_workday(date(2020, 9, 27))
    assert is_workday(date(2020, 10, 10))
    # received Wednesday 30 September: the 1st working day after is Friday 9 October
    assert add_workdays(date(2020, 9, 30), 1) == date(2020, 10, 9)
    assert add_workdays(date(2020, 9, 30), 2) == date(2020, 10, 10)


def test_fifteen_working_days_over_spring_festival_2021() -> None:
    # 2021-02-11..17 off; makeup workdays 2021-02-07 (Sun) and 2021-02-20 (Sat)
    assert add_workdays(date(2021, 2, 5), 15) == date(2021, 3, 3)


def test_zero_and_negative() -> None:
    assert add_workdays(date(2020, 1, 1), 0) == date(2020, 1, 1)
    with pytest.raises(ValueError):
        add_workdays(date(2020, 1, 1), -1)


def test_local_override_wins() -> None:
    WorkdayOverride.objects.create(day=date(2020, 9, 21), is_workday=False, note="local")
    assert not is_workday(date(2020, 9, 21))
    assert add_workdays(date(2020, 9, 18), 1) == date(2020, 9, 22)


def test_years_beyond_the_library_fall_back_to_weekends() -> None:
    assert is_workday(date(2031, 3, 3))  # a Monday
    assert not is_workday(date(2031, 3, 2))  # a Sunday


def test_workdays_between_matches_add() -> None:
    start = date(2020, 9, 1)
    end = add_workdays(start, 15)
    assert workdays_between(start, end) == 15
    assert workdays_between(end, start) == 0
