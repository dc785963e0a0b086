"""Every write of collective bargaining: campaigns, enterprises offered, each thread's steps,
contracts (from a thread, or entered from paper), workers' requests and the daily tick.

A step validates its input (errors name the field), checks the workflow and the actor's scope,
writes the thread's dates and the due date of the next step, and appends an audit row, all in
one transaction. Dates may not lie in the future nor before the step they follow.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.errors import Conflict, InvalidInput, NotFound
from gonghui.core.identifiers import normalise
from gonghui.core.roles import can
from gonghui.orgs.models import Enterprise, Org

from . import workflow
from .models import (
    MULTI_ENTERPRISE_KINDS,
    Campaign,
    Card,
    Contract,
    Kind,
    Round,
    Status,
    Thread,
    WorkerRequest,
)

MAX_YEARS = 3
NOTES_MAX = 5000


# --- input ----------------------------------------------------------------------------------


def _date(data: dict[str, Any], field: str, *, required: bool = True) -> datetime.date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise InvalidInput.one(field, _("请填写日期。"))
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise InvalidInput.one(field, _("日期格式应为 2020-09-19。")) from exc
    if value > timezone.localdate():
        raise InvalidInput.one(field, _("日期不能晚于今天。"))
    return value


def _int(data: dict[str, Any], field: str, *, low: int = 0, high: int = 1_000_000) -> int:
    value = data.get(field)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise InvalidInput.one(field, _("请填写整数。")) from exc
    if not low <= number <= high:
        raise InvalidInput.one(
            field, _("应在 %(low)d 至 %(high)d 之间。") % {"low": low, "high": high}
        )
    return number


def _decimal(data: dict[str, Any], field: str, high: Decimal) -> Decimal | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise InvalidInput.one(field, _("请填写数字。")) from exc
    if not number.is_finite() or number < 0 or number > high:
        raise InvalidInput.one(field, _("数值超出范围。"))
    return number.quantize(Decimal("0.01"))


def _text(data: dict[str, Any], field: str, limit: int, *, required: bool = False) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise InvalidInput.one(field, _("请填写此项。"))
    if len(value) > limit:
        raise InvalidInput.one(field, _("内容过长（最多 %(n)d 字）。") % {"n": limit})
    return value


def _not_before(day: datetime.date, earlier: datetime.date | None, field: str) -> None:
    if earlier is not None and day < earlier:
        raise InvalidInput.one(field, _("日期不能早于上一步的日期（%(day)s）。") % {"day": earlier})


# --- campaigns ------------------------------------------------------------------------------


def campaign_create(*, actor: Any, org: Org, data: dict[str, Any]) -> Campaign:
    """A federation launches an offer campaign for a period."""
    if not can(actor, "bargaining.launch", org):
        raise NotFound()
    title = _text(data, "title", 100, required=True)
    starts_on = _date(data, "starts_on", required=False) or timezone.localdate()
    ends_raw = data.get("ends_on")
    ends_on = ends_raw if isinstance(ends_raw, datetime.date) else _future_date(data, "ends_on")
    if ends_on < starts_on:
        raise InvalidInput.one("ends_on", _("结束日期不能早于开始日期。"))
    kind = str(data.get("kind") or Kind.COMPREHENSIVE)
    if kind not in Kind.values:
        raise InvalidInput.one("kind", _("请选择协商类型。"))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            org=org,
            title=title,
            year=starts_on.year,
            starts_on=starts_on,
            ends_on=ends_on,
            kind=kind,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="bargaining.campaign_create",
            object_type="bargaining_campaign",
            object_id=campaign.pk,
            object_org=org,
            object_repr=title,
        )
    return campaign


def campaign_reaches(campaign: Campaign, org: Org) -> bool:
    """Is ``org`` under the campaign's launching org (where it may add enterprises)?"""
    return org.path.startswith(campaign.org.path)


def offer(
    *,
    actor: Any,
    campaign: Campaign,
    enterprises: Iterable[Enterprise],
    offered_on: datetime.date | None = None,
) -> dict[str, int]:
    """Add enterprises to the campaign: one thread each, offered on ``offered_on`` (today).
    Enterprises outside the actor's scope or the campaign's reach, and those already offered
    in this campaign, are skipped and counted. Set-based: 6,000 enterprises in one insert."""
    if not can(actor, "bargaining.manage"):
        raise NotFound()
    offered_on = offered_on or timezone.localdate()
    home = actor.org
    chosen = [e for e in enterprises]
    allowed = [
        e
        for e in chosen
        if e.county.path.startswith(home.path) and campaign_reaches(campaign, e.county)
    ]
    have = set(
        Thread.objects.filter(
            campaign=campaign, enterprise_id__in=[e.pk for e in allowed]
        ).values_list("enterprise_id", flat=True)
    )
    due = workflow.due_for(Status.OFFERED, {"offered_on": offered_on})
    new = [
        Thread(
            campaign=campaign,
            enterprise=e,
            county_id=e.county_id,
            union_id=e.union_id,
            kind=campaign.kind,
            status=Status.OFFERED,
            offered_on=offered_on,
            due_on=due,
        )
        for e in allowed
        if e.pk not in have
    ]
    with transaction.atomic():
        Thread.objects.bulk_create(new, batch_size=1000)
        audit.record(
            actor=actor,
            action="bargaining.offer",
            object_type="bargaining_campaign",
            object_id=campaign.pk,
            object_org=campaign.org,
            object_repr=campaign.title,
            changes={"counts": {"before": None, "after": len(new)}},
        )
    return {
        "offered": len(new),
        "already": len(have),
        "outside": len(chosen) - len(allowed),
    }


def offer_by_codes(
    *, actor: Any, campaign: Campaign, codes: Iterable[str]
) -> tuple[dict[str, int], list[tuple[int, str, str]]]:
    """Offer the enterprises named by credit code (a list a county keeps in Excel). Returns the
    counts and the rows not matched: (row number, code, why)."""
    from gonghui.core.identifiers import validate_uscc

    rows = list(codes)
    cleaned: dict[str, int] = {}
    problems: list[tuple[int, str, str]] = []
    for number, raw in enumerate(rows, start=2):  # row 1 is the header
        code = normalise(raw).upper()
        if not code:
            continue
        try:
            validate_uscc(code)
        except Exception:
            problems.append((number, code, _("统一社会信用代码无效")))
            continue
        cleaned.setdefault(code, number)
    found = {
        e.uscc: e
        for e in Enterprise.objects.visible_to(actor)
        .filter(uscc__in=list(cleaned))
        .select_related("county")
    }
    for code, number in cleaned.items():
        if code not in found:
            problems.append((number, code, _("本单位范围内没有这家企业")))
    counts = offer(actor=actor, campaign=campaign, enterprises=found.values())
    problems.sort()
    return counts, problems


def letters_sent(*, actor: Any, threads: Iterable[Thread], sent_on: datetime.date) -> int:
    """Record that the offer letters were delivered."""
    ids = [t.pk for t in threads]
    with transaction.atomic():
        updated = (
            Thread.objects.visible_to(actor)
            .filter(pk__in=ids, letter_sent_on__isnull=True)
            .update(letter_sent_on=sent_on)
        )
        if updated:
            audit.record(
                actor=actor,
                action="bargaining.letters_sent",
                object_type="bargaining_thread",
                object_id=ids[0],
                object_org=actor.org,
                changes={"counts": {"before": None, "after": updated}},
            )
    return updated


# --- a thread's steps -----------------------------------------------------------------------


def _dates(thread: Thread) -> dict[str, datetime.date | None]:
    return {
        field: getattr(thread, field)
        for field in (
            "offered_on",
            "answered_on",
            "talks_on",
            "signed_on",
            "filed_on",
            "reviewed_on",
        )
    }


def _refresh_due(thread: Thread, today: datetime.date) -> None:
    thread.due_on = workflow.due_for(thread.status, _dates(thread))
    thread.card = workflow.card(thread.status, thread.due_on, today) or Card.NONE


def thread_act(
    *, actor: Any, thread: Thread, action: str, data: dict[str, Any] | None = None
) -> Thread:
    """One step of a thread by its name (the API's ``/threads/{id}/<action>`` and the
    thread page's forms). Out of scope answers like missing; an illegal step is 409."""
    data = dict(data or {})
    if not Thread.objects.visible_to(actor).filter(pk=thread.pk).exists():
        raise NotFound()
    if not can(actor, "bargaining.manage"):
        raise NotFound()
    today = timezone.localdate()
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        step = workflow.WORKFLOW.check(thread.status, action, getattr(actor, "role", None))
        before = thread.status
        changes: dict[str, Any] = {}
        contract = None
        note = ""
        if action == "answer":
            thread.answered_on = _date(data, "answered_on")
            _not_before(thread.answered_on, thread.offered_on, "answered_on")  # type: ignore[arg-type]
        elif action == "refuse":
            thread.refused_reason = _text(data, "refused_reason", 200, required=True)
        elif action == "schedule":
            talks_on = _date(data, "talks_on", required=False) or _future_date(data, "talks_on")
            _not_before(talks_on, thread.answered_on, "talks_on")
            thread.talks_on = talks_on
        elif action == "exchange":
            thread.data_on = _date(data, "data_on")
            _not_before(thread.data_on, thread.answered_on, "data_on")  # type: ignore[arg-type]
        elif action == "hold":
            held_on = _date(data, "held_on")
            _not_before(held_on, thread.data_on, "held_on")  # type: ignore[arg-type]
            thread.rounds += 1
            thread.talks_on = thread.talks_on or held_on
            Round.objects.create(
                thread=thread,
                number=thread.rounds,
                held_on=held_on,  # type: ignore[misc]
                notes=_text(data, "notes", NOTES_MAX),
            )
            note = _("第 %(n)d 轮协商") % {"n": thread.rounds}
        elif action == "agree":
            thread.draft_on = _date(data, "draft_on")
            _not_before(thread.draft_on, thread.talks_on, "draft_on")  # type: ignore[arg-type]
        elif action == "vote":
            voted_on = _date(data, "voted_on")
            _not_before(voted_on, thread.draft_on, "voted_on")  # type: ignore[arg-type]
            delegates = _int(data, "delegates", low=1)
            present = _int(data, "present")
            approving = _int(data, "approving")
            passed, why = workflow.congress_passes(delegates, present, approving)
            if not passed:
                raise Conflict(why)
            thread.delegates, thread.present, thread.approving = delegates, present, approving
            thread.voted_on = voted_on
            note = why
        elif action == "sign":
            thread.signed_on = _date(data, "signed_on")
            _not_before(thread.signed_on, thread.voted_on, "signed_on")  # type: ignore[arg-type]
            contract = _contract_from_thread(actor, thread, data)
            thread.contract = contract
        elif action == "file":
            thread.filed_on = _date(data, "filed_on")
            _not_before(thread.filed_on, thread.signed_on, "filed_on")  # type: ignore[arg-type]
        elif action == "object":
            note = _text(data, "reason", 500, required=True)
            thread.filed_on = None
            if thread.contract_id:
                # the bureau's objection voids the contract; the redrafted one is signed anew
                Contract.objects.filter(pk=thread.contract_id).update(
                    ends_on=thread.signed_on or today
                )
            thread.signed_on = thread.voted_on = None
            thread.contract = None
        elif action == "review":
            thread.reviewed_on = _date(data, "reviewed_on")
            _not_before(thread.reviewed_on, thread.filed_on, "reviewed_on")  # type: ignore[arg-type]
        elif action == "publish":
            thread.published_on = _date(data, "published_on")
            _not_before(thread.published_on, thread.reviewed_on, "published_on")  # type: ignore[arg-type]
        thread.status = step.target
        _refresh_due(thread, today)
        thread.save()
        changes["status"] = {"before": before, "after": thread.status}
        if thread.due_on:
            changes["due_on"] = {"before": None, "after": str(thread.due_on)}
        audit.record(
            actor=actor,
            action=f"bargaining.{action}",
            object_type="bargaining_thread",
            object_id=thread.pk,
            object_org=thread.county,
            object_repr=str(thread.enterprise.name),
            changes=changes,
            note=note,
        )
    return thread


def _future_date(data: dict[str, Any], field: str) -> datetime.date:
    """A date that may lie ahead (talks are scheduled for a later day)."""
    try:
        return datetime.date.fromisoformat(str(data.get(field)).strip())
    except ValueError as exc:
        raise InvalidInput.one(field, _("日期格式应为 2020-09-19。")) from exc


def _contract_from_thread(actor: Any, thread: Thread, data: dict[str, Any]) -> Contract:
    years = _int(data, "years", low=1, high=MAX_YEARS)
    if thread.kind == Kind.WAGE and years != 1:
        raise InvalidInput.one("years", _("工资专项集体合同一年一签。"))
    signed_on = thread.signed_on
    assert signed_on is not None
    starts_on = signed_on
    ends_on = _years_later(starts_on, years) - datetime.timedelta(days=1)
    enterprise = thread.enterprise
    contract = Contract.objects.create(
        county_id=thread.county_id,
        union_id=thread.union_id,
        kind=thread.kind,
        title=_("%(name)s%(kind)s") % {"name": enterprise.name, "kind": thread.get_kind_display()},
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        workers=enterprise.headcount,
        min_wage=_decimal(data, "min_wage", Decimal("100000")),
        wage_rise=_decimal(data, "wage_rise", Decimal("100")),
    )
    contract.enterprises.add(enterprise)
    return contract


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- contracts entered from paper, industry and regional contracts ---------------------------


def contract_record(
    *, actor: Any, county: Org, data: dict[str, Any], enterprises: list[Enterprise]
) -> Contract:
    """A contract signed before gonghui (from paper), or an industry or regional contract
    covering many enterprises: its parties, dates, term and wage clauses."""
    if not can(actor, "bargaining.manage", county):
        raise NotFound()
    kind = str(data.get("kind") or "")
    if kind not in Kind.values:
        raise InvalidInput.one("kind", _("请选择合同类型。"))
    if not enterprises:
        raise InvalidInput.one("enterprises", _("请至少选择一家覆盖企业。"))
    if len(enterprises) > 1 and kind not in MULTI_ENTERPRISE_KINDS:
        raise InvalidInput.one("enterprises", _("只有行业性、区域性集体合同可以覆盖多家企业。"))
    outside = [e.name for e in enterprises if not e.county.path.startswith(county.path)]
    if outside:
        raise InvalidInput.one(
            "enterprises", _("不在本单位范围内的企业：%(names)s") % {"names": "、".join(outside)}
        )
    title = _text(data, "title", 150, required=True)
    signed_on = _date(data, "signed_on")
    assert signed_on is not None
    years = _int(data, "years", low=1, high=MAX_YEARS)
    if kind == Kind.WAGE and years != 1:
        raise InvalidInput.one("years", _("工资专项集体合同一年一签。"))
    ends_on = _years_later(signed_on, years) - datetime.timedelta(days=1)
    with transaction.atomic():
        contract = Contract.objects.create(
            county=county,
            union=enterprises[0].union if len(enterprises) == 1 else county,
            kind=kind,
            title=title,
            signed_on=signed_on,
            starts_on=signed_on,
            ends_on=ends_on,
            workers=sum(e.headcount for e in enterprises),
            min_wage=_decimal(data, "min_wage", Decimal("100000")),
            wage_rise=_decimal(data, "wage_rise", Decimal("100")),
            from_paper=bool(data.get("from_paper", True)),
        )
        contract.enterprises.add(*enterprises)
        audit.record(
            actor=actor,
            action="bargaining.contract_record",
            object_type="bargaining_contract",
            object_id=contract.pk,
            object_org=county,
            object_repr=title,
            changes={"counts": {"before": None, "after": len(enterprises)}},
        )
    return contract


# --- workers asking for bargaining -----------------------------------------------------------


def request_sign(*, member: Any, today: datetime.date | None = None) -> WorkerRequest:
    """A member asks for bargaining at their employer (from the portal, logged in: identity
    checked by the account). Once a fifth of the workers have signed, the request reaches the
    threshold and the union is on notice: it appears on the union's and county's home page."""
    from gonghui.members.models import Member

    today = today or timezone.localdate()
    if not isinstance(member, Member) or member.employer_id is None:
        raise InvalidInput.one("employer", _("您的会员档案没有登记工作单位，请联系所在工会。"))
    enterprise = member.employer
    assert enterprise is not None
    if not enterprise.headcount:
        raise InvalidInput.one("employer", _("工作单位没有登记职工人数，请联系所在工会。"))
    with transaction.atomic():
        req = (
            WorkerRequest.objects.select_for_update()
            .filter(enterprise=enterprise, thread__isnull=True)
            .order_by("-opened_on")
            .first()
        )
        if req is None:
            req = WorkerRequest.objects.create(
                enterprise=enterprise, headcount=enterprise.headcount, opened_on=today
            )
        if req.signers.filter(pk=member.pk).exists():
            raise Conflict(_("您已经签过名了。"))
        req.signers.add(member)
        if req.reached_on is None and req.signers.count() >= req.needed:
            req.reached_on = today
            req.save(update_fields=["reached_on"])
        audit.record(
            actor=member.user if member.user_id else "member",
            action="bargaining.request_sign",
            object_type="bargaining_request",
            object_id=req.pk,
            object_org=enterprise.county,
            object_repr=enterprise.name,
        )
    return req


# --- the daily tick -------------------------------------------------------------------------


def threads_tick(*, today: datetime.date | None = None) -> dict[str, int]:
    """Refresh yellow and red cards of open threads from their due dates. Safe to run twice."""
    today = today or timezone.localdate()
    changed = 0
    rows = Thread.objects.open().filter(due_on__isnull=False).only("id", "status", "due_on", "card")
    updates = []
    for thread in rows.iterator(chunk_size=2000):
        card = workflow.card(thread.status, thread.due_on, today) or Card.NONE
        if card != thread.card:
            thread.card = card
            updates.append(thread)
    with transaction.atomic():
        Thread.objects.bulk_update(updates, ["card"], batch_size=1000)
        changed = len(updates)
    return {"changed": changed}
