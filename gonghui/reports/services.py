"""What the report pages, API and command share besides the selectors: the default period.

The reports app owns no data and writes nothing; this module holds no writes either.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def default_period(start: date | None, end: date | None) -> tuple[date, date]:
    """A missing end is today; a missing start is the first of January of the end's year."""
    end = end or timezone.localdate()
    start = start or date(end.year, 1, 1)
    return start, end
