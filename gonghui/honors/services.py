"""Writes of honours and competitions. Each is one transaction with its audit row; a round
moves only through ``workflow.ROUND``.

Checks run in this order: the record is visible to the actor (else 404, as if missing), the
role and org may take the step (403), the state allows it (409), the input is valid (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, ServiceError
from gonghui.core.roles import can, in_subtree
from gonghui.core.scope import subtree_org_ids

from . import quotas, selectors
from .models import (
    Allotment,
    Award,
    AwardKind,
    BenefitKind,
    Body,
    CheckResult,
    Competition,
    CompetitionIndicator,
    CompetitionPhase,
    CompetitionScore,
    CompetitionStatus,
    CompetitionUnit,
    Honour,
    ModelWorker,
    ModelWorkerBenefit,
    ModelWorkerCheck,
    ModelWorkerLevel,
    ModelWorkerStatus,
    Nomination,
    NominationFile,
    NominationStatus,
    Round,
    RoundStatus,
    Score,
    SiteVisit,
    Tag,
    Vetting,
    Vote,
)
from .workflow import ROUND

# Votes from one address within this many minutes beyond ``BURST_VOTES`` are flagged.
BURST_MINUTES = 10
BURST_VOTES = 10
MATERIAL_RETAIN_DAYS = 365 * 5


class TooManyVotes(ServiceError):
    status = 429
    title = "Too Many Requests"


def _audit(
    actor: Any,
    action: str,
    obj: Any,
    *,
    org: Any,
    object_type: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    audit.record(
        actor=actor,
        action=f"honors.{action}",
        object_type=object_type,
        object_id=obj.pk,
        object_org=org,
        object_repr=str(obj),
        changes=changes,
        note=note,
    )


def _created(obj: Any) -> dict[str, Any]:
    return {k: {"before": None, "after": v} for k, v in audit.snapshot(obj).items()}


def _text(value: Any, field: str, *, required: bool = False, max_length: int = 0) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput.one(field, _("不能为空"))
    if max_length and len(text) > max_length:
        raise InvalidInput.one(field, _("不能超过%(n)d个字") % {"n": max_length})
    return text


def _fresh_round(nomination: Nomination) -> Round:
    """The nomination's round as it is now (a caller may hold it from before a step)."""
    return Round.objects.select_related("org", "award").get(pk=nomination.round_id)


def _manage(actor: Any, org: Any) -> None:
    if not can(actor, "honors.manage", org):
        raise Forbidden(_("无权办理本次评选"))


# --- catalogue -------------------------------------------------------------------------------


def award_save(
    *, actor: Any, code: str, name: str, kind: str, level: str, description: str = ""
) -> Award:
    """Add an award to the catalogue, or change its name and description (by code)."""
    if not can(actor, "honors.manage") or actor.org is None or actor.org.parent_id is not None:
        raise Forbidden(_("只有市总工会可以维护荣誉目录"))
    code = _text(code, "code", required=True, max_length=32)
    name = _text(name, "name", required=True, max_length=50)
    if kind not in AwardKind.values:
        raise InvalidInput.one("kind", _("请选择集体、个人或班组"))
    if level not in dict(Award._meta.get_field("level").choices or []):
        raise InvalidInput.one("level", _("请选择级别"))
    with transaction.atomic():
        award = Award.objects.select_for_update().filter(code=code).first()
        if award is None:
            award = Award.objects.create(
                code=code, name=name, kind=kind, level=level, description=description
            )
            _audit(
                actor,
                "award_create",
                award,
                org=actor.org,
                object_type="award",
                changes=_created(award),
            )
            return award
        before = audit.snapshot(award)
        award.name, award.kind, award.level, award.description = name, kind, level, description
        award.save(update_fields=["name", "kind", "level", "description", "updated_at"])
        _audit(
            actor,
            "award_update",
            award,
            org=actor.org,
            object_type="award",
            changes=audit.diff(before, audit.snapshot(award)),
        )
        return award


# --- rounds ----------------------------------------------------------------------------------


def _scoring(raw: Any) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise InvalidInput.one("scoring", _("评分标准应为列表"))
    out = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not str(item.get("key", "")).strip():
            raise InvalidInput.one("scoring", _("第%(i)d项评分标准格式不对") % {"i": i})
        try:
            top = Decimal(str(item.get("max")))
        except InvalidOperation:
            top = Decimal(0)
        if not top.is_finite() or top <= 0 or top > 1000:
            raise InvalidInput.one("scoring", _("第%(i)d项：满分应在1到1000之间") % {"i": i})
        out.append(
            {
                "key": str(item["key"]).strip()[:32],
                "label": str(item.get("label") or item["key"]).strip()[:50],
                "max": str(top),
            }
        )
    return out


def round_create(
    *,
    actor: Any,
    org: Any,
    award: Award,
    title: str,
    year: int,
    places: int,
    opens_on: date,
    closes_on: date,
    criteria: str = "",
    quota_rules: Any = None,
    scoring: Any = None,
    drop_extremes: bool = False,
    vote_enabled: bool = False,
    vote_daily_limit: int = 20,
    results_live: bool = True,
    notice_days: int = 5,
) -> Round:
    _manage(actor, org)
    title = _text(title, "title", required=True, max_length=100)
    if not 1 <= int(places) <= 100_000:
        raise InvalidInput.one("places", _("名额应在1到100000之间"))
    if closes_on < opens_on:
        raise InvalidInput.one("closes_on", _("推荐截止日期不能早于开始日期"))
    if not 1 <= int(notice_days) <= 30:
        raise InvalidInput.one("notice_days", _("公示期应在1到30个工作日之间"))
    if not 1 <= int(vote_daily_limit) <= 100_000:
        raise InvalidInput.one("vote_daily_limit", _("每日投票上限应在1到100000之间"))
    rules = [
        {"tag": r.tag, "op": r.op, "percent": str(r.percent)}
        for r in quotas.parse_rules(quota_rules)
    ]
    with transaction.atomic():
        round = Round.objects.create(
            org=org,
            award=award,
            title=title,
            year=year,
            places=places,
            opens_on=opens_on,
            closes_on=closes_on,
            criteria=criteria,
            quota_rules=rules,
            scoring=_scoring(scoring),
            drop_extremes=drop_extremes,
            vote_enabled=vote_enabled,
            vote_daily_limit=vote_daily_limit,
            results_live=results_live,
            notice_days=notice_days,
        )
        _audit(actor, "round_create", round, org=org, object_type="round", changes=_created(round))
    return round


def round_allot(*, actor: Any, round: Round, org: Any, places: int) -> Allotment:
    """Give ``places`` of the round to ``org`` (an org below the round's); the allotments
    together never exceed the round's places."""
    _manage(actor, round.org)
    if org is None or org.pk == round.org_id or not org.path.startswith(round.org.path):
        raise InvalidInput.one("org", _("只能分配给主办组织的下级组织"))
    if not 0 <= int(places) <= round.places:
        raise InvalidInput.one("places", _("名额应在0到%(n)d之间") % {"n": round.places})
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round.pk)
        if locked.status not in (RoundStatus.DRAFT, RoundStatus.NOMINATING):
            raise Conflict(_("推荐截止后不能再分配名额"))
        others = sum(a.places for a in round.allotments.exclude(org=org).only("places"))
        if others + places > round.places:
            raise InvalidInput.one(
                "places",
                _("分配合计%(sum)d个，超过评选名额%(n)d个")
                % {"sum": others + places, "n": round.places},
            )
        allotment = Allotment.objects.filter(round=round, org=org).first()
        before = allotment.places if allotment else None
        if allotment is None:
            allotment = Allotment.objects.create(round=round, org=org, places=places)
        else:
            allotment.places = places
            allotment.save(update_fields=["places"])
        _audit(
            actor,
            "allot",
            round,
            org=round.org,
            object_type="round",
            changes={"places": {"before": before, "after": places}},
            note=org.name,
        )
    return allotment


def round_step(*, actor: Any, round: Round, step: str, today: date | None = None) -> Round:
    """Take a step of the round's workflow (``publish`` opens the notices, ``name`` names)."""
    _manage(actor, round.org)
    today = today or timezone.localdate()
    with transaction.atomic():
        round = Round.objects.select_for_update().select_related("award", "org").get(pk=round.pk)
        transition = ROUND.check(round.status, step, actor.role)
        if step == "vote" and not round.vote_enabled:
            raise Conflict(_("本次评选不设网络投票"))
        if step == "score" and not round.scoring:
            raise Conflict(_("本次评选未设评分标准"))
        if step == "publish":
            _publish(actor, round, today)
        named = 0
        if step == "name":
            named = _name(actor, round, today)
        before = round.status
        round.status = transition.target
        fields = ["status", "updated_at"]
        if step == "name":
            round.named_on = today
            fields.append("named_on")
        round.save(update_fields=fields)
        _audit(
            actor,
            step,
            round,
            org=round.org,
            object_type="round",
            changes={"status": {"before": before, "after": round.status}},
            note=_("命名%(n)d个") % {"n": named} if step == "name" else "",
        )
    return round


def _publish(actor: Any, round: Round, today: date) -> None:
    from gonghui.core import notices

    chosen = list(
        Nomination.objects.filter(round=round, status=NominationStatus.SELECTED).select_related(
            "org"
        )
    )
    if not chosen:
        raise Conflict(_("没有可公示的推荐对象"))
    for nom in chosen:
        notices.open_notice(
            nom,
            org=round.org,
            title=_("%(round)s拟表彰对象公示：%(name)s（%(org)s）")
            % {"round": round.title, "name": str(nom), "org": nom.org.name},
            body=nom.deeds[:2000],
            by=actor,
            days=round.notice_days,
            starts_on=today,
        )


def _name(actor: Any, round: Round, today: date) -> int:
    """Name every nominee whose notice passed; refuse while a notice runs or an objection
    waits for its resolution; stop those whose objection was upheld."""
    from gonghui.core import notices

    chosen = list(
        Nomination.objects.select_for_update()
        .filter(round=round, status=NominationStatus.SELECTED)
        .select_related("org")
        .order_by("org__code", "id")
    )
    outcome = {n.pk: notices.outcome(n, today) for n in chosen}
    waiting = [n for n in chosen if outcome[n.pk] in ("running", "none")]
    if waiting:
        raise Conflict(
            _("公示期未满：%(names)s") % {"names": "、".join(str(n) for n in waiting[:5])}
        )
    objected = [n for n in chosen if outcome[n.pk] == "objected"]
    if objected:
        raise Conflict(
            _("公示异议尚未处理：%(names)s") % {"names": "、".join(str(n) for n in objected[:5])}
        )
    seq = Honour.objects.filter(round=round).count()
    named = 0
    for nom in chosen:
        if outcome[nom.pk] == "failed":
            nom.status = NominationStatus.STOPPED
            nom.stop_reason = _("公示期间异议经核实成立")
            nom.save(update_fields=["status", "stop_reason", "updated_at"])
            _audit(
                actor,
                "stop",
                nom,
                org=nom.org,
                object_type="nomination",
                changes={"status": {"before": "selected", "after": "stopped"}},
                note=nom.stop_reason,
            )
            continue
        seq += 1
        honour = Honour.objects.create(
            round=round,
            nomination=nom,
            org=nom.org,
            award=round.award,
            kind=round.award.kind,
            member=nom.member,
            enterprise=nom.enterprise,
            name=str(nom),
            named_on=today,
            certificate_no=f"HZ{round.year}-{round.pk:04d}-{seq:04d}",
        )
        nom.status = NominationStatus.NAMED
        nom.save(update_fields=["status", "updated_at"])
        _audit(actor, "honour", honour, org=nom.org, object_type="honour", changes=_created(honour))
        if round.award.model_worker and nom.member_id is not None:
            _register_honour(actor, honour, nom)
        named += 1
    return named


# --- nominations -----------------------------------------------------------------------------


def _tags(raw: Any) -> list[str]:
    if raw in (None, ""):
        return []
    items = raw if isinstance(raw, list | tuple) else str(raw).replace("，", ",").split(",")
    out: list[str] = []
    labels = {str(label): value for value, label in Tag.choices}
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        value = item if item in Tag.values else labels.get(item)
        if value is None:
            raise InvalidInput.one("tags", _("未知的类别：%(t)s") % {"t": item[:20]})
        if value not in out:
            out.append(value)
    return out


def nomination_create(
    *,
    actor: Any,
    round: Round,
    org: Any = None,
    member: Any = None,
    enterprise: Any = None,
    team: str = "",
    tags: Any = None,
    deeds: str = "",
    nominated_on: date | None = None,
) -> Nomination:
    """Propose a nominee of the registry. Women and migrant workers are tagged from the
    member's record; the nominating union adds the other categories."""
    from gonghui.members.models import Sex, WorkerType

    org = org or actor.org
    if not can(actor, "honors.nominate", org):
        raise Forbidden(_("无权以该组织名义推荐"))
    if not org.path.startswith(round.org.path):
        raise InvalidInput.one("org", _("推荐单位不在本次评选范围内"))
    if round.status != RoundStatus.NOMINATING:
        raise Conflict(_("本次评选当前不接受推荐（%(s)s）") % {"s": round.get_status_display()})
    kind = round.award.kind
    values = _tags(tags)
    team = _text(team, "team", max_length=100)
    if kind == AwardKind.INDIVIDUAL:
        if member is None or enterprise is not None:
            raise InvalidInput.one("member", _("个人荣誉请从会员库中选择候选人"))
        if not in_subtree(actor, member.org):
            raise InvalidInput.one("member", _("未找到该会员"))
        if member.sex == Sex.FEMALE and Tag.WOMAN not in values:
            values.append(Tag.WOMAN)
        if member.worker_type == WorkerType.MIGRANT and Tag.MIGRANT not in values:
            values.append(Tag.MIGRANT)
        name = member.name
    else:
        if enterprise is None or member is not None:
            raise InvalidInput.one("enterprise", _("集体荣誉请从单位库中选择候选单位"))
        if not selectors.enterprises_for(actor).filter(pk=enterprise.pk).exists():
            raise InvalidInput.one("enterprise", _("未找到该单位"))
        if kind == AwardKind.TEAM and not team:
            raise InvalidInput.one("team", _("请填写班组名称"))
        name = enterprise.name
    with transaction.atomic():
        try:
            with transaction.atomic():
                nom = Nomination.objects.create(
                    round=round,
                    org=org,
                    member=member,
                    enterprise=enterprise,
                    name=name,
                    team=team,
                    tags=values,
                    deeds=deeds,
                    nominated_on=nominated_on or timezone.localdate(),
                )
        except IntegrityError as exc:
            raise Conflict(_("该对象已在本次评选中被推荐")) from exc
        _audit(actor, "nominate", nom, org=org, object_type="nomination", changes=_created(nom))
    return nom


def nomination_select(*, actor: Any, nomination: Nomination) -> Nomination:
    """Pass a proposal up: within the places of the allotment that holds the nominating union
    (and of the round); the actor sits at that allotment's org or above."""
    round = _fresh_round(nomination)
    holder = selectors.allotment_for(round, nomination.org)
    level = holder.org if holder else round.org
    if not can(actor, "honors.manage", level):
        raise Forbidden(_("应由%(org)s审核上报") % {"org": level.name})
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round.pk)  # places are counted under a lock
        nom = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if round.status != RoundStatus.NOMINATING:
            raise Conflict(_("推荐已截止"))
        if nom.status != NominationStatus.PROPOSED:
            raise Conflict(
                _("只有基层推荐的对象可以上报（现为%(s)s）") % {"s": nom.get_status_display()}
            )
        passed = (NominationStatus.SELECTED, NominationStatus.NAMED)
        if holder is not None:
            used = Nomination.objects.filter(
                round=round, org__in=subtree_org_ids(holder.org), status__in=passed
            ).count()
            if used >= holder.places:
                raise Conflict(
                    _("%(org)s的名额已用完（%(used)d/%(places)d）")
                    % {"org": holder.org.name, "used": used, "places": holder.places}
                )
        total = Nomination.objects.filter(round=round, status__in=passed).count()
        if total >= round.places:
            raise Conflict(
                _("本次评选名额已满（%(used)d/%(places)d）")
                % {"used": total, "places": round.places}
            )
        nom.status = NominationStatus.SELECTED
        nom.save(update_fields=["status", "updated_at"])
        _audit(
            actor,
            "select",
            nom,
            org=nom.org,
            object_type="nomination",
            changes={"status": {"before": "proposed", "after": "selected"}},
        )
    return nom


def nomination_withdraw(*, actor: Any, nomination: Nomination, reason: str = "") -> Nomination:
    if not can(actor, "honors.nominate", nomination.org):
        raise Forbidden(_("无权撤回该推荐"))
    with transaction.atomic():
        nom = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nom.status not in (NominationStatus.PROPOSED, NominationStatus.SELECTED):
            raise Conflict(_("该推荐现为%(s)s，不能撤回") % {"s": nom.get_status_display()})
        before = nom.status
        nom.status = NominationStatus.WITHDRAWN
        nom.stop_reason = _text(reason, "reason", max_length=200)
        nom.save(update_fields=["status", "stop_reason", "updated_at"])
        _audit(
            actor,
            "withdraw",
            nom,
            org=nom.org,
            object_type="nomination",
            changes={"status": {"before": before, "after": nom.status}},
            note=nom.stop_reason,
        )
    return nom


def nomination_stop(*, actor: Any, nomination: Nomination, reason: str) -> Nomination:
    """Stop a nominee (an upheld objection, a rule broken), with the reason."""
    _manage(actor, nomination.round.org)
    reason = _text(reason, "reason", required=True, max_length=200)
    with transaction.atomic():
        nom = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nom.status in (NominationStatus.NAMED, NominationStatus.WITHDRAWN):
            raise Conflict(_("该推荐现为%(s)s，不能终止") % {"s": nom.get_status_display()})
        before = nom.status
        nom.status = NominationStatus.STOPPED
        nom.stop_reason = reason
        nom.save(update_fields=["status", "stop_reason", "updated_at"])
        _audit(
            actor,
            "stop",
            nom,
            org=nom.org,
            object_type="nomination",
            changes={"status": {"before": before, "after": nom.status}},
            note=reason,
        )
    return nom


def nomination_attach(*, actor: Any, nomination: Nomination, upload: Any) -> NominationFile:
    """Keep a material (事迹材料, 证书扫描件 …) through the upload guard."""
    from gonghui.core import uploads

    if not can(actor, "honors.nominate", nomination.org):
        raise Forbidden(_("无权为该推荐上传材料"))
    if nomination.status in (NominationStatus.WITHDRAWN, NominationStatus.STOPPED):
        raise Conflict(_("该推荐已%(s)s") % {"s": nomination.get_status_display()})
    with transaction.atomic():
        stored = uploads.store(
            actor=actor,
            org=nomination.org,
            upload=upload,
            purpose="honors",
            retain_days=MATERIAL_RETAIN_DAYS,
        )
        item = NominationFile.objects.create(nomination=nomination, file=stored)
        _audit(
            actor,
            "attach",
            nomination,
            org=nomination.org,
            object_type="nomination",
            note=stored.name,
        )
    return item


def quota_report(round: Round, org: Any = None) -> list[quotas.Result]:
    """The round's rules over the live list of ``org``'s subtree (default: the whole round)."""
    rules = quotas.parse_rules(round.quota_rules)
    tags = selectors.live_nominations(round, org).values_list("tags", flat=True)
    return quotas.check(rules, [t or [] for t in tags])


# --- vetting ---------------------------------------------------------------------------------


def vetting_record(
    *, actor: Any, nomination: Nomination, body: str, passed: bool, reason: str = ""
) -> Vetting:
    """One body's answer on a nominee. A negative answer stops the nominee with the reason."""
    round = _fresh_round(nomination)
    _manage(actor, round.org)
    if body not in Body.values:
        raise InvalidInput.one("body", _("请选择征求意见单位"))
    reason = _text(reason, "reason", required=not passed, max_length=200)
    if round.status not in (RoundStatus.NOMINATING, RoundStatus.VETTING):
        raise Conflict(_("征求意见应在推荐和审核阶段进行"))
    with transaction.atomic():
        nom = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nom.status not in (NominationStatus.PROPOSED, NominationStatus.SELECTED):
            raise Conflict(_("该推荐现为%(s)s") % {"s": nom.get_status_display()})
        try:
            with transaction.atomic():
                vetting = Vetting.objects.create(
                    nomination=nom, body=body, passed=passed, reason=reason, recorded_by=actor
                )
        except IntegrityError as exc:
            raise Conflict(_("已登记%(body)s的意见") % {"body": Body(body).label}) from exc
        _audit(
            actor,
            "vet",
            nom,
            org=nom.org,
            object_type="nomination",
            changes={Body(body).value: {"before": None, "after": passed}},
            note=reason,
        )
        if not passed:
            before = nom.status
            nom.status = NominationStatus.STOPPED
            nom.stop_reason = f"{Body(body).label}：{reason}"[:200]
            nom.save(update_fields=["status", "stop_reason", "updated_at"])
            _audit(
                actor,
                "stop",
                nom,
                org=nom.org,
                object_type="nomination",
                changes={"status": {"before": before, "after": nom.status}},
                note=nom.stop_reason,
            )
    return vetting


# --- the vote ---------------------------------------------------------------------------------


def vote_cast(
    *,
    actor: Any,
    round: Round,
    nomination_id: Any,
    address: str = "",
    now: Any = None,
    member: Any = None,
) -> Vote:
    """A member's vote: once per round (the unique constraint holds it against any race), by
    verified members only (an active member record behind the login), at most
    ``vote_daily_limit`` a day from one address, bursts from one address flagged.

    ``member`` is ``selectors.member_of(actor)`` when the caller already has it. The row is
    written first, so that a second vote is refused by the constraint before anything else is
    asked; the address's votes are then counted with it in the same transaction (one indexed
    query for the day and the burst) and a vote past the day's limit takes its row back."""
    now = now or timezone.now()
    if member is None or member.user_id != actor.pk:  # a member given must be the actor's
        member = selectors.member_of(actor)
    if member is None:
        raise Forbidden(_("只有已实名认证的在会会员可以投票"))
    if round.status != RoundStatus.VOTING or not round.vote_enabled:
        raise Conflict(_("本次评选当前不在投票期"))
    found = (
        Nomination.objects.filter(round=round, pk=nomination_id, status=NominationStatus.SELECTED)
        .select_related("org")
        .only("id", "org__id")
        .order_by()[:1]
        if str(nomination_id).isdigit()
        else []
    )
    nom = next(iter(found), None)
    if nom is None:
        raise InvalidInput.one("nomination", _("请选择本次评选的候选人"))
    address = (address or "")[:45]
    today = timezone.localdate(now)
    with transaction.atomic():
        try:
            vote = Vote.objects.create(
                round=round,
                nomination=nom,
                member=member,
                cast_at=now,
                cast_on=today,
                address=address,
                flagged=False,
            )
        except IntegrityError as exc:  # the transaction is rolled back as this leaves it
            raise Conflict(_("您已在本次评选中投过票，每人限投一次")) from exc
        if address:
            burst_from = now - timedelta(minutes=BURST_MINUTES)
            day_from = timezone.make_aware(datetime.combine(today, dtime.min))
            counts = Vote.objects.filter(
                round=round, address=address, cast_at__gte=min(day_from, burst_from)
            ).aggregate(
                today=Count("pk", filter=Q(cast_on=today)),
                recent=Count("pk", filter=Q(cast_at__gte=burst_from)),
            )
            if counts["today"] > round.vote_daily_limit:  # this vote included
                raise TooManyVotes(_("该网络地址今日投票已达上限，请明日再投"))
            if counts["recent"] - 1 >= BURST_VOTES:  # the others of the last minutes
                vote.flagged = True
                Vote.objects.filter(pk=vote.pk).update(flagged=True)
        raised: dict[str, Any] = {"vote_count": F("vote_count") + 1}
        if vote.flagged:
            raised["flagged_count"] = F("flagged_count") + 1
        Nomination.objects.filter(pk=nom.pk).update(**raised)
        _audit(
            actor,
            "vote_cast",
            vote,
            org=nom.org,
            object_type="vote",
            changes={"nomination": {"before": None, "after": nom.pk}},
            note=_("可疑：同一地址短时间内集中投票") if vote.flagged else "",
        )
    return vote


# --- scoring and site visits ------------------------------------------------------------------


def score_submit(*, actor: Any, nomination: Nomination, marks: dict[str, Any]) -> Score:
    """One expert's marks on the published criteria; the nominee's score is the mean of the
    experts' totals (highest and lowest dropped where the round says so and ≥ 3 scored)."""
    round = _fresh_round(nomination)
    if not can(actor, "honors.score", round.org):
        raise Forbidden(_("无权参与本次评审"))
    if round.status != RoundStatus.SCORING:
        raise Conflict(_("本次评选当前不在专家评审阶段"))
    if not isinstance(marks, dict):
        raise InvalidInput.one("marks", _("请逐项打分"))
    clean: dict[str, str] = {}
    total = Decimal(0)
    for item in round.scoring:
        raw = marks.get(item["key"])
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise InvalidInput.one(
                item["key"], _("请填写%(l)s的得分") % {"l": item["label"]}
            ) from None
        if not value.is_finite() or value < 0 or value > Decimal(item["max"]):
            raise InvalidInput.one(
                item["key"],
                _("%(l)s的得分应在0到%(m)s之间") % {"l": item["label"], "m": item["max"]},
            )
        value = value.quantize(Decimal("0.01"))
        clean[item["key"]] = str(value)
        total += value
    unknown = set(marks) - set(clean)
    if unknown:
        raise InvalidInput.one(sorted(unknown)[0][:32], _("不是本次评选的评分项"))
    with transaction.atomic():
        nom = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nom.status != NominationStatus.SELECTED:
            raise Conflict(_("该推荐现为%(s)s") % {"s": nom.get_status_display()})
        try:
            with transaction.atomic():
                score = Score.objects.create(nomination=nom, expert=actor, marks=clean, total=total)
        except IntegrityError as exc:
            raise Conflict(_("您已为该候选人评过分")) from exc
        totals = sorted(nom.scores.values_list("total", flat=True))
        if round.drop_extremes and len(totals) >= 3:
            totals = totals[1:-1]
        nom.score = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"))
        nom.save(update_fields=["score", "updated_at"])
        _audit(
            actor,
            "score",
            nom,
            org=nom.org,
            object_type="nomination",
            changes={"score": {"before": None, "after": str(total)}},
        )
    return score


def site_visit_record(
    *, actor: Any, nomination: Nomination, visited_on: date, note: str
) -> SiteVisit:
    _manage(actor, nomination.round.org)
    note = _text(note, "note", required=True, max_length=20_000)
    with transaction.atomic():
        visit = SiteVisit.objects.create(
            nomination=nomination, visited_on=visited_on, note=note, recorded_by=actor
        )
        _audit(
            actor,
            "visit",
            nomination,
            org=nomination.org,
            object_type="nomination",
            note=str(visited_on),
        )
    return visit


# --- competitions ----------------------------------------------------------------------------


def competition_create(
    *,
    actor: Any,
    org: Any,
    title: str,
    project: str,
    starts_on: date,
    ends_on: date,
    indicators: Any = None,
    description: str = "",
) -> Competition:
    _manage(actor, org)
    title = _text(title, "title", required=True, max_length=100)
    project = _text(project, "project", required=True, max_length=100)
    if ends_on < starts_on:
        raise InvalidInput.one("ends_on", _("结束日期不能早于开始日期"))
    if indicators in (None, ""):
        indicators = []
    if not isinstance(indicators, list) or not all(isinstance(i, str) for i in indicators):
        raise InvalidInput.one("indicators", _("竞赛指标应为文字列表"))
    names = list(dict.fromkeys(i.strip()[:50] for i in indicators if i.strip()))
    with transaction.atomic():
        try:
            with transaction.atomic():
                comp = Competition.objects.create(
                    org=org,
                    title=title,
                    project=project,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    indicators=names,
                    description=description,
                )
        except IntegrityError as exc:
            raise Conflict(_("已有同名的劳动竞赛")) from exc
        _default_indicators(comp, names)
        _audit(
            actor,
            "competition_create",
            comp,
            org=org,
            object_type="competition",
            changes=_created(comp),
        )
    return comp


COMPETITION_STEPS = {
    "start": (CompetitionStatus.PLANNED, CompetitionStatus.RUNNING),
    "finish": (CompetitionStatus.RUNNING, CompetitionStatus.FINISHED),
}


def competition_step(*, actor: Any, competition: Competition, step: str) -> Competition:
    _manage(actor, competition.org)
    if step not in COMPETITION_STEPS:
        raise InvalidInput.one("step", _("未知的操作"))
    source, target = COMPETITION_STEPS[step]
    with transaction.atomic():
        comp = Competition.objects.select_for_update().get(pk=competition.pk)
        if comp.status != source:
            raise Conflict(_("竞赛现为%(s)s") % {"s": comp.get_status_display()})
        comp.status = target
        comp.save(update_fields=["status", "updated_at"])
        _audit(
            actor,
            f"competition_{step}",
            comp,
            org=comp.org,
            object_type="competition",
            changes={"status": {"before": source, "after": target}},
        )
    return comp


def competition_join(
    *, actor: Any, competition: Competition, enterprise: Any, team: str = ""
) -> CompetitionUnit:
    _manage(actor, competition.org)
    if enterprise is None or not selectors.enterprises_for(actor).filter(pk=enterprise.pk).exists():
        raise InvalidInput.one("enterprise", _("未找到该单位"))
    if competition.status == CompetitionStatus.FINISHED:
        raise Conflict(_("竞赛已结束"))
    team = _text(team, "team", max_length=100)
    with transaction.atomic():
        try:
            with transaction.atomic():
                unit = CompetitionUnit.objects.create(
                    competition=competition, enterprise=enterprise, team=team
                )
        except IntegrityError as exc:
            raise Conflict(_("该单位（班组）已参赛")) from exc
        _audit(
            actor,
            "competition_join",
            competition,
            org=competition.org,
            object_type="competition",
            note=unit.name,
        )
    return unit


def competition_score(
    *, actor: Any, unit: CompetitionUnit, score: Decimal, result: str = ""
) -> CompetitionUnit:
    """A unit's score; ranks are recomputed from the scores (highest first)."""
    comp = Competition.objects.select_related("org").get(pk=unit.competition_id)
    _manage(actor, comp.org)
    if comp.status == CompetitionStatus.PLANNED:
        raise Conflict(_("竞赛尚未开始"))
    if CompetitionScore.objects.filter(unit__competition=comp).exists():
        raise Conflict(_("本竞赛已按指标计分，得分由各阶段的指标得分计算"))
    try:
        score = Decimal(str(score)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput.one("score", _("请填写得分")) from None
    if not Decimal(0) <= score <= Decimal(10000):
        raise InvalidInput.one("score", _("得分应在0到10000之间"))
    with transaction.atomic():
        Competition.objects.select_for_update().get(pk=comp.pk)
        before = unit.score
        unit.score = score
        unit.result = _text(result, "result", max_length=200)
        unit.save(update_fields=["score", "result"])
        units = list(comp.units.exclude(score=None).order_by("-score", "id"))
        for rank, u in enumerate(units, start=1):
            if u.rank != rank:
                u.rank = rank
                u.save(update_fields=["rank"])
        _audit(
            actor,
            "competition_score",
            comp,
            org=comp.org,
            object_type="competition",
            changes={
                "score": {
                    "before": str(before) if before is not None else None,
                    "after": str(score),
                }
            },
            note=unit.name,
        )
    unit.refresh_from_db()
    return unit


# --- competitions: phases, indicators, scores, ranking, nominations -------------------------

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _comp_editable(actor: Any, competition: Competition) -> Competition:
    """The competition as it is now, locked; its organiser's managers only, not once finished."""
    _manage(actor, competition.org)
    comp = Competition.objects.select_for_update().select_related("org").get(pk=competition.pk)
    if comp.status == CompetitionStatus.FINISHED:
        raise Conflict(_("竞赛已结束"))
    return comp


def _decimal(value: Any, field: str, label: str, *, top: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput.one(field, _("请填写%(l)s") % {"l": label}) from None
    if not number.is_finite() or number <= 0 or number > top:
        raise InvalidInput.one(field, _("%(l)s应大于0且不超过%(t)s") % {"l": label, "t": top})
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def competition_phase_save(
    *,
    actor: Any,
    competition: Competition,
    name: str,
    starts_on: date,
    ends_on: date,
    position: int | None = None,
) -> CompetitionPhase:
    """Add a phase (启动, 推进, 决赛/总结 …) or change the dates of the phase of that name; its
    dates lie within the competition's."""
    name = _text(name, "name", required=True, max_length=50)
    if ends_on < starts_on:
        raise InvalidInput.one("ends_on", _("阶段结束日期不能早于开始日期"))
    with transaction.atomic():
        comp = _comp_editable(actor, competition)
        if starts_on < comp.starts_on or ends_on > comp.ends_on:
            raise InvalidInput.one(
                "starts_on",
                _("阶段日期应在竞赛起止日期（%(a)s至%(b)s）之内")
                % {"a": comp.starts_on, "b": comp.ends_on},
            )
        phase = CompetitionPhase.objects.filter(competition=comp, name=name).first()
        if phase is None:
            phase = CompetitionPhase.objects.create(
                competition=comp,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                position=position if position is not None else comp.phases.count() + 1,
            )
            changes = _created(phase)
        else:
            before = audit.snapshot(phase)
            phase.starts_on, phase.ends_on = starts_on, ends_on
            fields = ["starts_on", "ends_on"]
            if position is not None:
                phase.position = position
                fields.append("position")
            phase.save(update_fields=fields)
            changes = audit.diff(before, audit.snapshot(phase))
        _audit(
            actor,
            "competition_phase",
            comp,
            org=comp.org,
            object_type="competition",
            changes=changes,
            note=phase.name,
        )
    return phase


def competition_indicator_save(
    *,
    actor: Any,
    competition: Competition,
    name: str,
    weight: Any,
    max_score: Any,
    unit: str = "分",
) -> CompetitionIndicator:
    """Add an indicator or change the one of that name (weight, maximum, measuring unit); a
    maximum below a score already given is refused; the ranking follows a new weight."""
    name = _text(name, "name", required=True, max_length=50)
    unit = _text(unit, "unit", max_length=20)
    weight_value = _decimal(weight, "weight", _("权重"), top=Decimal(1000))
    top = _decimal(max_score, "max_score", _("满分"), top=Decimal(10000))
    with transaction.atomic():
        comp = _comp_editable(actor, competition)
        item = CompetitionIndicator.objects.filter(competition=comp, name=name).first()
        if item is None:
            item = CompetitionIndicator.objects.create(
                competition=comp,
                name=name,
                unit=unit,
                weight=weight_value,
                max_score=top,
                position=comp.indicator_rows.count() + 1,
            )
            changes = _created(item)
        else:
            highest = item.scores.order_by("-score").values_list("score", flat=True).first()
            if highest is not None and highest > top:
                raise InvalidInput.one(
                    "max_score",
                    _("已有得分%(s)s高于新的满分%(t)s") % {"s": highest, "t": top},
                )
            before = audit.snapshot(item)
            item.unit, item.weight, item.max_score = unit, weight_value, top
            item.save(update_fields=["unit", "weight", "max_score"])
            changes = audit.diff(before, audit.snapshot(item))
        names = list(comp.indicator_rows.values_list("name", flat=True))
        if comp.indicators != names:
            comp.indicators = names
            comp.save(update_fields=["indicators", "updated_at"])
        _rank(comp)
        _audit(
            actor,
            "competition_indicator",
            comp,
            org=comp.org,
            object_type="competition",
            changes=changes,
            note=item.name,
        )
    return item


def _default_indicators(comp: Competition, names: list[str]) -> None:
    """Indicators named at creation: equal weights, each out of 100 (changed afterwards)."""
    if not names:
        return
    weight = (HUNDRED / len(names)).quantize(CENT)
    CompetitionIndicator.objects.bulk_create(
        CompetitionIndicator(
            competition=comp, name=n, unit="分", weight=weight, max_score=HUNDRED, position=i
        )
        for i, n in enumerate(names, start=1)
    )


@dataclass(frozen=True)
class ScoreEntry:
    """One cell of the score sheet: ``score`` None clears it."""

    unit: CompetitionUnit
    indicator: CompetitionIndicator
    phase: CompetitionPhase
    score: Decimal | None
    label: str = ""  # how the caller names the cell in an error (the row, the grid's cell)


def competition_scores_save(
    *, actor: Any, competition: Competition, entries: list[ScoreEntry], source: str = ""
) -> dict[str, int]:
    """Enter scores (the page's grid, an import): every entry is checked first and any error
    refuses the whole lot naming its cell, so nothing is half-written; a cell given again
    with the same value changes nothing (a re-import is all ``unchanged``). Totals and ranks
    are computed again in the same transaction; one audit row."""
    _manage(actor, competition.org)
    errors: list[dict[str, str]] = []
    for entry in entries:
        where = entry.label or f"{entry.unit.name}·{entry.phase.name}·{entry.indicator.name}"
        if (
            entry.unit.competition_id != competition.pk
            or entry.indicator.competition_id != competition.pk
            or entry.phase.competition_id != competition.pk
        ):
            errors.append({"field": where, "message": _("不属于本竞赛")})
            continue
        if entry.score is None:
            continue
        if not entry.score.is_finite() or entry.score < 0:
            errors.append({"field": where, "message": _("得分不能为负数")})
        elif entry.score > entry.indicator.max_score:
            errors.append(
                {
                    "field": where,
                    "message": _("得分%(s)s超过“%(i)s”的满分%(m)s")
                    % {
                        "s": f"{entry.score.normalize():f}",
                        "i": entry.indicator.name,
                        "m": f"{entry.indicator.max_score.normalize():f}",
                    },
                }
            )
    if errors:
        raise InvalidInput(
            errors, detail="；".join(f"{e['field']}：{e['message']}" for e in errors[:20])
        )
    done = {"created": 0, "updated": 0, "unchanged": 0, "cleared": 0}
    with transaction.atomic():
        comp = _comp_editable(actor, competition)
        if comp.status != CompetitionStatus.RUNNING:
            raise Conflict(_("竞赛尚未开始"))
        existing = {
            (s.unit_id, s.indicator_id, s.phase_id): s
            for s in CompetitionScore.objects.filter(unit__competition=comp)
        }
        new: list[CompetitionScore] = []
        changed: list[CompetitionScore] = []
        gone: list[int] = []
        now = timezone.now()
        for entry in entries:
            key = (entry.unit.pk, entry.indicator.pk, entry.phase.pk)
            row = existing.get(key)
            if entry.score is None:
                if row is not None:
                    gone.append(row.pk)
                    done["cleared"] += 1
                continue
            value = entry.score.quantize(CENT, rounding=ROUND_HALF_UP)
            if row is None:
                row = CompetitionScore(
                    unit=entry.unit,
                    indicator=entry.indicator,
                    phase=entry.phase,
                    score=value,
                    recorded_by=actor,
                    recorded_at=now,
                )
                existing[key] = row
                new.append(row)
                done["created"] += 1
            elif row.score != value:
                row.score, row.recorded_by, row.recorded_at = value, actor, now
                changed.append(row)
                done["updated"] += 1
            else:
                done["unchanged"] += 1
        CompetitionScore.objects.bulk_create(new)
        CompetitionScore.objects.bulk_update(changed, ["score", "recorded_by", "recorded_at"])
        CompetitionScore.objects.filter(pk__in=gone).delete()
        if new or changed or gone:
            _rank(comp)
            _audit(
                actor,
                "competition_scores",
                comp,
                org=comp.org,
                object_type="competition",
                changes={
                    k: {"before": None, "after": v}
                    for k, v in done.items()
                    if v and k != "unchanged"
                },
                note=source,
            )
    return done


def _rank(comp: Competition) -> None:
    """Write each unit's weighted total and rank (``selectors.competition_ranking``) onto the
    unit, so lists and the API read them as columns. A competition scored as a whole
    (``competition_score``, no indicator scores yet) keeps its scores."""
    if not CompetitionScore.objects.filter(unit__competition=comp).exists():
        return
    ranking = selectors.competition_ranking(comp)
    units = {u.pk: u for u in comp.units.all()}
    dirty = []
    for row in ranking.rows:
        unit = units.get(row.unit.pk)
        if unit is not None and (unit.score, unit.rank) != (row.total, row.rank):
            unit.score, unit.rank = row.total, row.rank
            dirty.append(unit)
    CompetitionUnit.objects.bulk_update(dirty, ["score", "rank"])


def competition_nominate(
    *,
    actor: Any,
    competition: Competition,
    round: Round,
    units: list[CompetitionUnit],
    select: bool = True,
) -> list[Nomination]:
    """Nominate units of the ranking into an open round in one step, in the organiser's name,
    through ``nomination_create`` (and ``nomination_select`` to pass them up within the
    places): any unit refused — not ranked, already nominated, an individual award, a team
    award for a unit without a team, the places used up — refuses the whole step naming it."""
    _manage(actor, competition.org)
    if not units:
        raise InvalidInput.one("units", _("请选择要推荐的参赛单位"))
    if round.award.kind == AwardKind.INDIVIDUAL:
        raise InvalidInput.one("round", _("个人荣誉不能从竞赛排名中推荐"))
    comp = Competition.objects.select_related("org").get(pk=competition.pk)
    made: list[Nomination] = []
    with transaction.atomic():
        for unit in sorted(units, key=lambda u: (u.rank or 10**6, u.pk)):
            fresh = CompetitionUnit.objects.select_related("enterprise").get(pk=unit.pk)
            try:
                if fresh.competition_id != comp.pk:
                    raise InvalidInput.one("units", _("不是本竞赛的参赛单位"))
                if fresh.rank is None or fresh.score is None:
                    raise InvalidInput.one("units", _("尚无竞赛得分和名次"))
                team = fresh.team if round.award.kind == AwardKind.TEAM else ""
                if round.award.kind == AwardKind.TEAM and not team:
                    raise InvalidInput.one("units", _("没有班组名称，不能推荐班组荣誉"))
                nom = nomination_create(
                    actor=actor,
                    round=round,
                    org=comp.org,
                    enterprise=fresh.enterprise,
                    team=team,
                    deeds=_("%(comp)s综合排名第%(rank)d名，得分%(score)s。%(result)s")
                    % {
                        "comp": comp.title,
                        "rank": fresh.rank,
                        "score": fresh.score,
                        "result": fresh.result,
                    },
                )
                if select:
                    nom = nomination_select(actor=actor, nomination=nom)
            except ServiceError as exc:
                errors = getattr(exc, "errors", None)
                reason = errors[0]["message"] if errors else exc.detail
                exc.detail = f"{fresh.name}：{reason}"
                raise
            made.append(nom)
        _audit(
            actor,
            "competition_nominate",
            comp,
            org=comp.org,
            object_type="competition",
            changes={"nominations": {"before": None, "after": [n.pk for n in made]}},
            note=f"{round.title}：" + "、".join(str(n) for n in made)[:300],
        )
    return made


# --- the model workers' register (劳模库) -----------------------------------------------------

AWARD_LEVEL_TO_MODEL = {
    "national": ModelWorkerLevel.NATIONAL,
    "provincial": ModelWorkerLevel.PROVINCIAL,
    "municipal": ModelWorkerLevel.MUNICIPAL,
    "county": ModelWorkerLevel.MUNICIPAL,
}
MODEL_WORKER_FIELDS = ("sex", "level", "employer", "allowance", "status", "note", "member")


def _register_honour(actor: Any, honour: Honour, nom: Nomination) -> None:
    """An individual named with an award that carries 劳模待遇 enters the register (once)."""
    member = nom.member
    worker, created = ModelWorker.objects.get_or_create(
        org=nom.org,
        name=honour.name[:50],
        title=honour.award.name[:50],
        year=honour.round.year,
        defaults={
            "member": member,
            "honour": honour,
            "sex": getattr(member, "sex", "") or "",
            "level": AWARD_LEVEL_TO_MODEL.get(honour.award.level, ModelWorkerLevel.MUNICIPAL),
            "employer": (getattr(member, "employer_name", "") or "")[:150],
        },
    )
    if created:
        _audit(
            actor,
            "model_worker_create",
            worker,
            org=worker.org,
            object_type="model_worker",
            changes=_created(worker),
            note=honour.certificate_no,
        )


def _model_manage(actor: Any, org: Any) -> None:
    if not can(actor, "honors.manage", org):
        raise Forbidden(_("无权管理该工会的劳模"))


def _money(value: Any, field: str, *, top: Decimal = Decimal("1000000")) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        raise InvalidInput.one(field, _("请填写金额（元）")) from None
    if not amount.is_finite() or amount < 0 or amount > top:
        raise InvalidInput.one(field, _("金额应在0到%(top)s元之间") % {"top": top})
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def model_worker_save(
    *,
    actor: Any,
    org: Any,
    name: str,
    title: str,
    level: str,
    year: int,
    employer: str = "",
    sex: str = "",
    allowance: Any = 0,
    status: str = ModelWorkerStatus.ACTIVE,
    note: str = "",
    member: Any = None,
) -> tuple[ModelWorker, str]:
    """Enter a model worker in the register, or update the entry of the same union, name,
    title and year. Returns the entry and what happened: ``created``, ``updated`` or
    ``unchanged`` (a re-import of the same sheet changes nothing)."""
    _model_manage(actor, org)
    name = _text(name, "name", required=True, max_length=50)
    title = _text(title, "title", required=True, max_length=50)
    if level not in ModelWorkerLevel.values:
        raise InvalidInput.one("level", _("级别应为全国、省部级或市级劳动模范"))
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput.one("year", _("请填写授予年度")) from None
    if not 1950 <= year <= timezone.localdate().year:
        raise InvalidInput.one("year", _("授予年度应在1950年到今年之间"))
    if sex not in ("", "M", "F"):
        raise InvalidInput.one("sex", _("性别应为男或女"))
    if status not in ModelWorkerStatus.values:
        raise InvalidInput.one("status", _("状态不正确"))
    if member is not None and not in_subtree(actor, member.org):
        raise InvalidInput.one("member", _("未找到该会员"))
    values = {
        "sex": sex or (getattr(member, "sex", "") or ""),
        "level": level,
        "employer": _text(employer, "employer", max_length=150),
        "allowance": _money(allowance, "allowance", top=Decimal("100000")),
        "status": status,
        "note": _text(note, "note", max_length=200),
        "member": member,
    }
    with transaction.atomic():
        worker = (
            ModelWorker.objects.select_for_update()
            .filter(org=org, name=name, title=title, year=year)
            .first()
        )
        if worker is None:
            worker = ModelWorker.objects.create(
                org=org, name=name, title=title, year=year, **values
            )
            _audit(
                actor,
                "model_worker_create",
                worker,
                org=org,
                object_type="model_worker",
                changes=_created(worker),
            )
            return worker, "created"
        if member is None:
            values["member"] = worker.member  # a sheet without ID numbers keeps the link
        before = audit.snapshot(worker)
        changed = [f for f in MODEL_WORKER_FIELDS if getattr(worker, f) != values[f]]
        if not changed:
            return worker, "unchanged"
        for f in changed:
            setattr(worker, f, values[f])
        worker.save(update_fields=[*changed, "updated_at"])
        _audit(
            actor,
            "model_worker_update",
            worker,
            org=org,
            object_type="model_worker",
            changes=audit.diff(before, audit.snapshot(worker)),
        )
        return worker, "updated"


def model_worker_check(
    *,
    actor: Any,
    worker: ModelWorker,
    year: int,
    result: str,
    note: str = "",
    checked_on: date | None = None,
) -> ModelWorkerCheck:
    """The yearly check: once per worker and year; a death recorded ends the entry."""
    _model_manage(actor, worker.org)
    checked_on = checked_on or timezone.localdate()
    if result not in CheckResult.values:
        raise InvalidInput.one("result", _("请选择核实情况"))
    if not 1950 <= int(year) <= checked_on.year:
        raise InvalidInput.one("year", _("核实年度不能晚于核实日期"))
    note = _text(note, "note", required=result != CheckResult.NORMAL, max_length=200)
    with transaction.atomic():
        locked = ModelWorker.objects.select_for_update().get(pk=worker.pk)
        if locked.status != ModelWorkerStatus.ACTIVE:
            raise Conflict(_("该劳模现为%(s)s") % {"s": locked.get_status_display()})
        try:
            with transaction.atomic():
                check = ModelWorkerCheck.objects.create(
                    worker=locked,
                    year=year,
                    result=result,
                    note=note,
                    checked_on=checked_on,
                    checked_by=actor,
                )
        except IntegrityError as exc:
            raise Conflict(_("%(y)d年度已核实") % {"y": int(year)}) from exc
        _audit(
            actor,
            "model_worker_check",
            locked,
            org=locked.org,
            object_type="model_worker",
            changes={f"check_{year}": {"before": None, "after": result}},
            note=note,
        )
        if result == CheckResult.DECEASED:
            locked.status = ModelWorkerStatus.DECEASED
            locked.save(update_fields=["status", "updated_at"])
            _audit(
                actor,
                "model_worker_update",
                locked,
                org=locked.org,
                object_type="model_worker",
                changes={"status": {"before": "active", "after": "deceased"}},
            )
    return check


def model_worker_benefit(
    *,
    actor: Any,
    worker: ModelWorker,
    kind: str,
    amount: Any,
    granted_on: date,
    year: int | None = None,
    note: str = "",
) -> ModelWorkerBenefit:
    """A benefit granted to a model worker on the register (only while the entry stands)."""
    _model_manage(actor, worker.org)
    if kind not in BenefitKind.values:
        raise InvalidInput.one("kind", _("请选择待遇项目"))
    value = _money(amount, "amount")
    if value <= 0:
        raise InvalidInput.one("amount", _("金额应大于0"))
    year = int(year or granted_on.year)
    with transaction.atomic():
        locked = ModelWorker.objects.select_for_update().get(pk=worker.pk)
        if locked.status != ModelWorkerStatus.ACTIVE:
            raise Conflict(_("该劳模现为%(s)s，不能发放待遇") % {"s": locked.get_status_display()})
        benefit = ModelWorkerBenefit.objects.create(
            worker=locked,
            kind=kind,
            year=year,
            amount=value,
            granted_on=granted_on,
            note=_text(note, "note", max_length=200),
            granted_by=actor,
        )
        _audit(
            actor,
            "model_worker_benefit",
            locked,
            org=locked.org,
            object_type="model_worker",
            changes={kind: {"before": None, "after": str(value)}},
            note=str(granted_on),
        )
    return benefit
