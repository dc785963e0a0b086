"""What the member registry adds to the kernel's screens and rules (core.hooks seams)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import hooks


def _active_members_blocker(org: Any) -> tuple[int, str]:
    from .models import Member, Status

    return Member.objects.filter(org=org, status=Status.ACTIVE).count(), _("名在会会员")


def _members_counter(org: Any) -> tuple[str, int]:
    from .models import Member, Status

    count = Member.objects.filter(
        org__path__startswith=org.path, status=Status.ACTIVE
    ).count()
    return _("在会会员"), count


hooks.org_blockers.append(_active_members_blocker)
hooks.org_counters.append(_members_counter)
