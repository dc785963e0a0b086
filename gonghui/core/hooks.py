"""Seams through which later modules extend the kernel's screens and rules without editing them.

- ``org_blockers``: ``fn(org) -> (count, label)`` of active records that keep an org from being
  deactivated (members register "在会会员"); the org service refuses while any count > 0.
- ``org_counters``: ``fn(orgs_subquery) -> (label, count)`` shown on an org's page
  (members register "会员人数" over the subtree).
- ``portal_cards``: ``fn(user) -> dict(title=..., body=..., url=...) | None`` on the member's
  "my" page.
- ``nav_items``: ``(perm, label, url_name)`` added to the staff navigation.
- ``member_sections``: ``fn(user, member) -> dict | None``, one section of a member's 360°
  page: ``{"title", "items": [{"label", "value", "url"?}], "url"?, "empty"?}`` or
  ``{"title", "template", "context"}`` (the template reads ``context`` as ``data``: Django
  reserves the name ``context`` in an include); ``None`` hides it (nothing there, or not the
  user's to see).
- ``dashboard_panels``: ``fn(org, start, end) -> dict | None``, one chart of the work-report
  dashboard: ``{"title", "option"}`` where ``option`` is a JSON-able ECharts option (the
  hotline's deadline picture, say); ``None`` leaves it out. The caller has already checked
  that ``org`` lies in the user's subtree.
- ``assigned_cases``: ``fn(user) -> list[dict]``, the cases and consultations assigned to a
  lawyer or counsellor, listed on their home page: ``{"title", "url", "kind", "status",
  "due"}`` (``due`` a date or None); only the user's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

org_blockers: list[Callable[[Any], tuple[int, str]]] = []
org_counters: list[Callable[[Any], tuple[str, int]]] = []
portal_cards: list[Callable[[Any], dict[str, str] | None]] = []
nav_items: list[tuple[str, str, str]] = []
member_sections: list[Callable[[Any, Any], dict[str, Any] | None]] = []
dashboard_panels: list[Callable[[Any, Any, Any], dict[str, Any] | None]] = []
assigned_cases: list[Callable[[Any], list[dict[str, Any]]]] = []
