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

from gonghui.assistance.selectors import home_work as assistance_work
from gonghui.core import deadlines, periods
from gonghui.core.errors import InvalidInput
from gonghui.core.roles import ASSIGNEE_ROLES, Role, can
from gonghui.core.web import audit_search

from . import selectors

RECENT_AUDIT = 8


def _link(label: str, name: str, *args: Any) -> tuple[str, str]:
    return label, reverse(name, args=args)


LISTED_LOCKS = 10


def _chain() -> dict[str, Any]:
    """The audit chain at a glance (cheap: no verification, which is the command's)."""
    from gonghui.core.models import AuditEntry, AuditSeal

    last = AuditSeal.objects.order_by("-number").first()
    tail = AuditEntry.objects.all()
    if last is not None:
        tail = tail.filter(at__gte=last.ends_at)
    return {"blocks": last.number if last else 0, "last": last, "unsealed": tail.count()}


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
    if can(user, "assistance.handle"):
        links.append(_link(_("困难职工档案"), "assistance:files"))
    if can(user, "assistance.review"):
        links.append(_link(_("慰问活动"), "assistance:campaigns"))
    if can(user, "hotline.intake"):
        links.append(_link(_("新建工单"), "hotline:create"))
    if can(user, "hotline.view"):
        links.append(_link(_("工单队列"), "hotline:queue"))
    if can(user, "hotline.stats"):
        links.append(_link(_("热线统计"), "hotline:stats"))
    if can(user, "governance.manage"):
        links.append(_link(_("筹备会议"), "governance:meeting_new"))
    if can(user, "governance.view"):
        links.append(_link(_("组织建设与选举"), "governance:index"))
    if can(user, "payments.view"):
        links.append(_link(_("代发支付"), "payments:list"))
    if can(user, "honors.view"):
        links.append(_link(_("评先评优"), "honors:rounds"))
    if can(user, "legal.apply"):
        links.append(_link(_("代职工申请法律援助"), "legal:apply"))
    if can(user, "legal.view") or can(user, "legal.handle"):
        links.append(_link(_("法律援助案件"), "legal:cases"))
    if can(user, "legal.view") or can(user, "legal.answer"):
        links.append(_link(_("在线咨询"), "legal:consultations"))
    if can(user, "funds.view") or can(user, "funds.apply"):
        links.append(_link(_("工会经费"), "funds:home"))
    if can(user, "reports.view"):
        links.append(_link(_("工作报告"), "reports:summary"))
    if can(user, "bargaining.view"):
        links.append(_link(_("集体协商"), "bargaining:home"))
    if can(user, "ventures.view"):
        links.append(_link(_("工友创业园"), "ventures:home"))
    if can(user, "activities.view"):
        links.append(_link(_("职工活动"), "activities:home"))
    if can(user, "places.view"):
        links.append(_link(_("服务阵地"), "places:list"))
    if can(user, "notices.view"):
        links.append(_link(_("公示"), "notices"))
    if can(user, "office.view"):
        links.append(_link(_("综合办公"), "office:home"))
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
    if can(user, "security.locks"):
        links.append(_link(_("登录锁定"), "login_locks"))
    if can(user, "security.policies"):
        links.append(_link(_("安全策略"), "security_policies"))
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
    rows += payment_todo(user)
    rows += honors_todo(user)
    legal = legal_todo(user)
    if legal:
        cases = reverse("legal:cases")
        rows += [
            selectors.Todo(
                _("待审查、审批、指派或结案的法律援助案件"),
                legal["applied"] + legal["complete"] + legal["approved"] + legal["concluded"],
                f"{cases}?tab=todo",
            ),
            selectors.Todo(
                _("危机预警的心理咨询"),
                legal["crisis"],
                reverse("legal:consultations") + "?kind=psych",
                urgent=True,
            ),
        ]
    rows += funds_todo(user)
    rows += ventures_todo(user)
    rows += office_todo(user)
    rows += places_todo(user)
    return [r for r in rows if r.count or not r.urgent]


def ventures_todo(user: Any) -> list[selectors.Todo]:
    """The ventures of the subtree still without this year's review."""
    if not can(user, "ventures.manage"):
        return []
    from django.utils import timezone

    from gonghui.ventures.selectors import due_for_review

    waiting = due_for_review(user, timezone.localdate().year).count()
    return [selectors.Todo(_("本年度待复核的创业项目"), waiting, reverse("ventures:home"))]


def office_todo(user: Any) -> list[selectors.Todo]:
    """The office: documents to sign for, data calls to answer, supervised tasks open."""
    if not can(user, "office.view"):
        return []
    from gonghui.office.selectors import home_work

    work = home_work(user)
    return [
        selectors.Todo(_("待签收的公文"), work.unsigned, reverse("office:documents")),
        selectors.Todo(_("待报送的信息"), work.open_calls, reverse("office:calls")),
        selectors.Todo(_("办理中的督办事项"), work.due_tasks, reverse("office:tasks")),
    ]


def places_todo(user: Any) -> list[selectors.Todo]:
    """The star reviews of service places waiting for this user's org: the county's review,
    the city's confirmation, the owner's self-assessment."""
    if not can(user, "places.view"):
        return []
    from gonghui.places.selectors import waiting_for

    return [
        selectors.Todo(
            _("待办理的服务阵地星级评定"), waiting_for(user).count(), reverse("places:reviews")
        )
    ]


def assistance_todo(work: dict[str, Any]) -> list[selectors.Todo]:
    files = reverse("assistance:files")
    return [
        selectors.Todo(_("待本级审核的困难职工档案"), work["review"], f"{files}?status=reviewing"),
        selectors.Todo(_("待办理的困难职工申请"), work["union"], f"{files}?pending=1"),
    ]


def funds_todo(user: Any) -> list[selectors.Todo]:
    """The refund applications waiting for this finance cadre: to review, to decide, and
    approved ones still to put in a payment batch."""
    if not can(user, "funds.manage"):
        return []
    from gonghui.funds.selectors import waiting_work

    work = waiting_work(user)
    home = reverse("funds:home")
    return [
        selectors.Todo(_("待审核的经费返还申请"), work["to_check"], home),
        selectors.Todo(_("待决定的经费返还申请"), work["to_decide"], home),
        selectors.Todo(_("已批准待转入代发的经费返还"), work["to_pay"], home),
    ]


def payment_todo(user: Any) -> list[selectors.Todo]:
    """The payment batches waiting for this cadre: to approve (made by others) and to
    confirm from the bank's sheet."""
    if not can(user, "payments.view"):
        return []
    from gonghui.payments.selectors import waiting_work

    work = waiting_work(user)
    batches = reverse("payments:list")
    return [
        selectors.Todo(_("待审批的代发批次"), work["to_approve"], f"{batches}?status=submitted"),
        selectors.Todo(
            _("待导入银行回单的代发批次"), work["to_confirm"], f"{batches}?status=exported"
        ),
    ]


def honors_todo(user: Any) -> list[selectors.Todo]:
    """Honours: proposals waiting to be passed up, nominees in vetting, notices running."""
    from gonghui.honors.selectors import waiting_for

    if not can(user, "honors.view"):
        return []
    waiting = waiting_for(user)
    rounds = reverse("honors:rounds")
    return [
        selectors.Todo(
            _("待审核上报的评先评优推荐"), waiting["proposed"], f"{rounds}?status=nominating"
        ),
        selectors.Todo(_("审核中的推荐对象"), waiting["vetting"], f"{rounds}?status=vetting"),
    ]


def legal_todo(user: Any) -> dict[str, int]:
    """The legal-aid centre's waiting work (empty for those who do not run it)."""
    from gonghui.legal.selectors import centre_todo

    return centre_todo(user)


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
    if user.role == Role.SECADMIN:
        from gonghui.accounts.selectors import login_locks_visible_to
        from gonghui.accounts.views import policies

        context.update(locks=login_locks_visible_to(user)[:LISTED_LOCKS], policies=policies())
        return render(request, "home/secadmin.html", context)
    if user.role == Role.AUDITOR:
        context["chain"] = _chain()
        context["recent"] = list(audit_search(user)[:RECENT_AUDIT])
        return render(request, "home/auditor.html", context)
    if user.role == Role.ADMIN:
        context["accounts"] = selectors.account_work(user)
        context["overview"] = selectors.overview(org)
        if can(user, "audit.view"):  # not the system administrator's (三员分立)
            context["recent"] = list(audit_search(user)[:RECENT_AUDIT])
        return render(request, "home/admin.html", context)
    members = selectors.member_work(user)
    hotline = selectors.hotline_work(user)
    context.update(
        members=members,
        hotline=hotline,
        assistance=assistance_work(user, items=user.role == Role.CLERK),
    )
    if user.role == Role.CLERK:
        from gonghui.office.selectors import home_work as office_work

        context["office"] = office_work(user)
        return render(request, "home/clerk.html", context)
    if user.role == Role.OPERATOR:
        return render(request, "home/operator.html", context)
    # a cadre (and any other staff role): the org's figures and what waits for it
    try:  # the period the user chose last on any page (本年 by default)
        period = periods.period_for_page(request)
    except InvalidInput:
        period = periods.preset(periods.DEFAULT_PRESET)
    context.update(
        todo=cadre_todo(user, members, hotline) + assistance_todo(context["assistance"]),
        overview=selectors.overview(org),
        figures=selectors.period_figures(org, period.start, period.end),
        period=period,
        picker=periods.picker(period),
    )
    if can(user, "audit.view"):
        context["recent"] = list(audit_search(user)[:RECENT_AUDIT])
    return render(request, "home/cadre.html", context)
