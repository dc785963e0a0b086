"""The home page: each role lands on its work.

- member → the portal; leader → the dashboard;
- clerk → the roster, the import and the approvals waiting;
- operator → the queue (what waits, what is late) and today's calls;
- cadre → the org's figures this year and its to-do;
- admin → accounts and security (lockouts), and the audit;
- lawyer, counsellor → the cases and consultations assigned to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core import deadlines, periods
from gonghui.core.errors import InvalidInput
from gonghui.core.roles import ASSIGNEE_ROLES, Role, can
from gonghui.core.web import audit_search

from . import selectors

RECENT_AUDIT = 8


def _link(label: str, name: str, *args: Any) -> tuple[str, str]:
    return label, reverse(name, args=args)


def shortcuts(user: Any) -> list[tuple[str, str]]:
    """The buttons under the greeting: the role's daily work first."""
    links: list[tuple[str, str]] = []
    org = user.org
    if can(user, "members.manage"):
        links += [
            _link(_("会员名册"), "members:roster"),
            _link(_("导入名册"), "members:import"),
            _link(_("入会审批"), "members:applications"),
            _link(_("新增会员"), "members:create"),
        ]
    elif can(user, "members.view"):
        links.append(_link(_("会员名册"), "members:roster"))
    if can(user, "hotline.intake"):
        links.append(_link(_("新建工单"), "hotline:create"))
    if can(user, "hotline.view"):
        links.append(_link(_("工单队列"), "hotline:queue"))
    if can(user, "hotline.stats"):
        links.append(_link(_("热线统计"), "hotline:stats"))
    if can(user, "reports.view"):
        links.append(_link(_("工作报告"), "reports:summary"))
    if can(user, "notices.view"):
        links.append(_link(_("公示"), "notices"))
    if can(user, "orgs.manage", org):
        links.append(_link(_("新建下级组织"), "orgs:create", org.code))
    elif can(user, "orgs.view"):
        links.append(_link(_("组织架构"), "orgs:tree"))
    if can(user, "users.manage"):
        links += [_link(_("新建账号"), "user_create"), _link(_("账号列表"), "users")]
    elif can(user, "users.view"):
        links.append(_link(_("账号列表"), "users"))
    if can(user, "audit.view"):
        links.append(_link(_("审计日志"), "audit"))
    links.append(_link(_("修改密码"), "password_change"))
    return links


def cadre_todo(
    user: Any, members: selectors.MemberWork, hotline: selectors.HotlineWork
) -> list[selectors.Todo]:
    queue = reverse("hotline:queue")
    rows = [
        selectors.Todo(
            _("待审核的入会申请"), members.pending_count, reverse("members:applications")
        ),
        selectors.Todo(_("待本级办理的热线工单"), hotline.waiting, f"{queue}?tab=todo"),
        selectors.Todo(
            _("红牌督办（已超期）的热线工单"),
            hotline.red,
            f"{queue}?tab=open&card=red",
            urgent=True,
        ),
    ]
    return [r for r in rows if r.count or not r.urgent]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role == Role.MEMBER:
        return redirect("portal:home")
    org = user.org
    if org is None:
        return render(request, "home/no_org.html")
    if user.role == Role.LEADER and can(user, "reports.view"):
        return redirect("reports:dashboard")
    context: dict[str, Any] = {
        "org": org,
        "shortcuts": shortcuts(user),
        "due": deadlines.for_user(user),  # every module's items with a yellow or red card
    }
    if user.role in ASSIGNEE_ROLES:
        context["cases"] = selectors.assigned_cases(user)
        return render(request, "home/assignee.html", context)
    if user.role == Role.ADMIN:
        context["accounts"] = selectors.account_work(user)
        context["overview"] = selectors.overview(org)
        context["recent"] = list(audit_search(user)[:RECENT_AUDIT])
        return render(request, "home/admin.html", context)
    members = selectors.member_work(user)
    hotline = selectors.hotline_work(user)
    context.update(members=members, hotline=hotline)
    if user.role == Role.CLERK:
        return render(request, "home/clerk.html", context)
    if user.role == Role.OPERATOR:
        return render(request, "home/operator.html", context)
    # a cadre (and any other staff role): the org's figures and what waits for it
    try:  # the period the user chose last on any page (本年 by default)
        period = periods.period_for_page(request)
    except InvalidInput:
        period = periods.preset(periods.DEFAULT_PRESET)
    context.update(
        todo=cadre_todo(user, members, hotline),
        overview=selectors.overview(org),
        figures=selectors.period_figures(org, period.start, period.end),
        period=period,
        picker=periods.picker(period),
    )
    if can(user, "audit.view"):
        context["recent"] = list(audit_search(user)[:RECENT_AUDIT])
    return render(request, "home/cadre.html", context)
