"""Every write of the legal module: one transaction, one audit row, an event on the timeline.

Cases: ``case_create`` (a worker from the portal, a cadre on their behalf), ``case_from_ticket``
(a 12351 order converted, linked both ways), ``case_act`` (one workflow step by name),
``case_stage`` (the lawyer records a stage with its date and document), ``case_attach``
(evidence through ``core.uploads``), ``case_rate`` (the applicant rates the service).
Consultations: ``consultation_ask``, ``consultation_assign``, ``consultation_reply``,
``consultation_close``. Stations: ``station_save``, ``staff_save``.

Psychological consultations never put their content into the audit log or the events: their
rows say that something happened, never what was said.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, uploads
from gonghui.core.errors import Forbidden, InvalidInput, NotFound
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import normalise, parse_citizen_id, validate_uscc
from gonghui.core.roles import Role, can
from gonghui.orgs.models import Enterprise, Org

from .models import (
    STAGE_DATE_FIELD,
    Applicant,
    Case,
    CaseEvent,
    CaseFile,
    Channel,
    Claim,
    Consultation,
    ConsultKind,
    ConsultStatus,
    Delivered,
    Message,
    Outcome,
    Service,
    ServiceKind,
    Staff,
    StaffKind,
    Stage,
    StageKind,
    Station,
    StationKind,
    Status,
)
from .workflow import WORKFLOW

AUDITED = (
    "status",
    "org",
    "lawyer",
    "service",
    "completed_on",
    "decided_on",
    "refusal_reason",
    "referred_to",
    "assigned_on",
    "mediation_on",
    "arbitration_on",
    "accepted_on",
    "award_extended",
    "award_on",
    "lawsuit_on",
    "outcome",
    "amount_recovered",
    "workers_helped",
    "closed_on",
    "rating",
)
EVIDENCE_RETAIN_DAYS = 365 * 5
DEFAULT_CRISIS_WORDS = ("自杀", "轻生", "不想活", "活不下去", "结束生命", "割腕", "跳楼")
# hotline topics (first level) whose orders may become a legal-aid case: wages, contracts,
# insurance, injury, dismissal, hours, safety, women's rights, legal aid
DEFAULT_CONVERTIBLE_TOPICS = ("01", "02", "03", "04", "05", "08", "09", "10", "11")


def crisis_words() -> tuple[str, ...]:
    return tuple(getattr(settings, "LEGAL_CRISIS_WORDS", None) or DEFAULT_CRISIS_WORDS)


def has_crisis(text: str) -> bool:
    return any(word in text for word in crisis_words())


def _today() -> datetime.date:
    return timezone.localdate()


def _name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(getattr(actor, "full_name", "") or actor.get_username())
    return str(actor or "system")


def _event(
    case: Case, *, actor: Any, action: str, label: str, before: str = "", note: str = ""
) -> None:
    CaseEvent.objects.create(
        case=case,
        action=action,
        label=label,
        from_status=before,
        to_status=case.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_name(actor),
        note=note,
    )


def _audit(actor: Any, case: Case, action: str, before: dict[str, Any], note: str = "") -> None:
    audit.record(
        actor=actor,
        action=f"legal.{action}",
        object_type="legal_case",
        object_id=case.pk,
        object_org=case.org,
        object_repr=case.number,
        changes=audit.diff(before, audit.snapshot(case, AUDITED)),
        note=note[:500],
    )


def _text(
    data: dict[str, Any], key: str, label: str, *, required: bool = True, limit: int = 2000
) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise InvalidInput.one(key, _("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise InvalidInput.one(
            key, _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": limit}
        )
    return value


def _date(
    data: dict[str, Any], key: str, label: str, *, required: bool = True
) -> datetime.date | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            raise InvalidInput.one(key, _("请填写%(label)s。") % {"label": label})
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise InvalidInput.one(
                key, _("%(label)s应为日期，如 2020-09-21。") % {"label": label}
            ) from exc
    if value > _today():
        raise InvalidInput.one(key, _("%(label)s不能晚于今天。") % {"label": label})
    return value


def _money(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0").strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput.one(field, _("%(label)s应为金额（元）。") % {"label": label}) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1000000000000"):
        raise InvalidInput.one(field, _("%(label)s应为不小于0的金额（元）。") % {"label": label})
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput.one(field, _("%(label)s最多精确到分。") % {"label": label})
    return amount


def _choice(data: dict[str, Any], key: str, choices: Any, label: str, default: str = "") -> str:
    value = str(data.get(key) or default).strip()
    values = {c.value for c in choices}
    labels = {str(c.label): c.value for c in choices}
    if value in values:
        return value
    if value in labels:
        return labels[value]
    raise InvalidInput.one(key, _("请选择%(label)s。") % {"label": label})


def centre_for(org: Org) -> Org:
    """The legal-aid centre for a union: its nearest county federation or the city above it."""
    if org.kind in ("county", "city"):
        return org
    ids = [int(i) for i in org.path.strip("/").split("/") if i]
    above = {o.pk: o for o in Org.objects.filter(pk__in=ids, kind__in=("county", "city"))}
    for pk in reversed(ids):
        if pk in above:
            return above[pk]
    return org


def _next_number(year: int) -> str:
    prefix = f"FY{year}-"
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _employer(case: Case, data: dict[str, Any]) -> None:
    """The employer by credit code (linked to the enterprise registry when known), or by name."""
    raw = str(data.get("employer_uscc") or "").strip()
    name = str(data.get("employer_name") or "").strip()[:150]
    if raw:
        try:
            code = validate_uscc(raw)
        except ValidationError as exc:
            raise InvalidInput.one("employer_uscc", exc.messages[0]) from exc
        case.employer_uscc = code
        case.employer = Enterprise.objects.filter(uscc=code).first()
        case.employer_name = name or (case.employer.name if case.employer else "")
    else:
        case.employer_name = name
    if not case.employer_name:
        raise InvalidInput.one("employer_name", _("请填写用人单位名称。"))


def _applicant(row: dict[str, Any], index: int) -> Applicant:
    from gonghui.members.models import Member

    field = f"applicants[{index}]"
    name = str(row.get("name") or "").strip()[:50]
    if not name:
        raise InvalidInput.one(f"{field}.name", _("请填写申请人姓名。"))
    id_number = str(row.get("id_number") or "").strip()
    if id_number:
        try:
            id_number = parse_citizen_id(id_number).number
        except ValidationError as exc:
            raise InvalidInput.one(f"{field}.id_number", exc.messages[0]) from exc
    phone = normalise(row.get("phone") or "")[:20]
    member = None
    if id_number:
        member = Member.objects.filter(
            id_number_bidx=blind_index_for("citizen_id", id_number)
        ).first()
    return Applicant(
        name=name, id_number=id_number, phone=phone, member=member, is_member=member is not None
    )


def _claims(data: dict[str, Any]) -> list[Claim]:
    out = []
    for i, row in enumerate(data.get("claims") or []):
        item = str(row.get("item") or "").strip()[:100]
        if not item:
            raise InvalidInput.one(f"claims[{i}].item", _("请填写请求事项。"))
        out.append(
            Claim(item=item, amount=_money(row.get("amount"), f"claims[{i}].amount", _("金额")))
        )
    return out


@transaction.atomic
def case_create(*, actor: Any, data: dict[str, Any], ticket: Any = None) -> Case:
    """A new application. A member applies for themselves (the case goes to their union's
    centre); staff with ``legal.apply`` apply on a worker's behalf for an org in their
    subtree (default: their own org's centre). Applicants are matched to members by ID."""
    is_member = getattr(actor, "role", "") == Role.MEMBER
    if not (can(actor, "legal.apply") or (is_member and can(actor, "legal.portal"))):
        raise Forbidden(_("当前角色不能申请法律援助"))
    if actor.org is None:
        raise Forbidden(_("账号未归属任何工会"))
    if is_member:
        org = centre_for(actor.org)
    else:
        code = str(data.get("org") or "").strip()
        org = actor.org
        if code:
            found = Org.objects.filter(code=code, active=True).first()
            if found is None or not can(actor, "legal.apply", found):
                raise InvalidInput.one("org", _("未找到该工会。"))
            org = found
        org = centre_for(org)
    today = _today()
    dispute_on = _date(data, "dispute_on", _("争议发生日"))
    assert dispute_on is not None  # required
    case = Case(
        org=org,
        service=_choice(data, "service", Service, _("援助事项"), Service.ARBITRATION),
        channel=Channel.HOTLINE if ticket else (Channel.PORTAL if is_member else Channel.STAFF),
        facts=_text(data, "facts", _("案情"), limit=5000),
        dispute_on=dispute_on,
        applied_on=today,
        consent=bool(data.get("consent")),
        ref=str(data.get("ref") or "").strip()[:40],
        filed_by=actor,
        ticket=ticket,
    )
    if not case.consent:
        raise InvalidInput.one("consent", _("请确认同意工会为办理援助使用您提供的信息。"))
    _employer(case, data)
    rows = list(data.get("applicants") or [])
    if is_member:
        member = getattr(actor, "member", None)
        name = member.name if member else (actor.full_name or actor.username)
        rows = [{"name": name, "id_number": member.id_number if member else "", "phone": ""}] + [
            r for r in rows if r
        ]
    if not rows:
        raise InvalidInput.one("applicants", _("请至少填写一名申请人。"))
    if len(rows) > 500:
        raise InvalidInput.one("applicants", _("一个案件最多500名申请人。"))
    applicants = [_applicant(r, i) for i, r in enumerate(rows)]
    claims = _claims(data)
    for _attempt in range(3):
        case.number = _next_number(today.year)
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            case.pk = None
            continue
    for a in applicants:
        a.case = case
    Applicant.objects.bulk_create(applicants)
    for c in claims:
        c.case = case
    Claim.objects.bulk_create(claims)
    _event(case, actor=actor, action="apply", label=_("提交申请"))
    audit.record(
        actor=actor,
        action="legal.apply",
        object_type="legal_case",
        object_id=case.pk,
        object_org=org,
        object_repr=case.number,
        changes=audit.diff({}, audit.snapshot(case, AUDITED + ("channel", "dispute_on"))),
        note=_("申请人%(n)s名") % {"n": len(applicants)},
    )
    return case


@transaction.atomic
def case_from_ticket(*, actor: Any, ticket: Any, data: dict[str, Any]) -> Case:
    """Convert a 12351 order of a legal topic into a case, linked both ways (the order's
    page shows the case, the case's page the order). Once per order."""
    from gonghui.hotline.models import Ticket

    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not can(actor, "legal.convert"):
        raise Forbidden(_("当前角色不能把工单转为法律援助案件"))
    if Case.objects.filter(ticket=ticket).exists():
        raise InvalidInput.one("ticket", _("该工单已转为法律援助案件。"))
    root = ticket.topic.root
    allowed = getattr(settings, "LEGAL_CONVERTIBLE_TOPICS", None) or DEFAULT_CONVERTIBLE_TOPICS
    if root.code not in allowed:
        raise InvalidInput.one("ticket", _("只有劳动争议或法律援助类工单可以转为法律援助案件。"))
    data = dict(data)
    data.setdefault("facts", ticket.content)
    data.setdefault("employer_name", ticket.employer)
    if not data.get("applicants"):
        data["applicants"] = [
            {
                "name": ticket.caller_name,
                "id_number": ticket.caller_id_number,
                "phone": ticket.caller_phone,
            }
        ]
    if not data.get("org"):
        holder = ticket.handler_org or ticket.receiving_org
        data["org"] = holder.code if can(actor, "legal.apply", holder) else actor.org.code
    case = case_create(actor=actor, data=data, ticket=ticket)
    if ticket.member_id and not case.applicants.filter(member__isnull=False).exists():
        case.applicants.filter(pk=case.applicants.first().pk).update(  # type: ignore[union-attr]
            member_id=ticket.member_id, is_member=True
        )
    audit.record(
        actor=actor,
        action="hotline.to_legal",
        object_type="ticket",
        object_id=ticket.pk,
        object_org=ticket.receiving_org,
        object_repr=str(ticket),
        changes={"legal_case": {"before": None, "after": case.number}},
    )
    return case


# --- the workflow ----------------------------------------------------------------------


def _check_step(actor: Any, case: Case, name: str) -> None:
    role = getattr(actor, "role", None)
    WORKFLOW.check(case.status, name, role)
    if role == Role.LAWYER:
        if case.lawyer_id != actor.pk:
            raise NotFound()
    elif role == Role.MEMBER:
        if not Case.objects.filter(Case.scope_member(actor), pk=case.pk).exists():
            raise NotFound()
    elif not can(actor, "legal.manage", case.org) and not (
        name == "resubmit" and can(actor, "legal.apply", case.org)
    ):
        raise Forbidden(_("只有承办中心的工会干部可以办理此步骤"))


def _lawyer(value: Any, case: Case) -> Any:
    from gonghui.accounts.models import User

    key = str(value or "").strip()
    if not key:
        raise InvalidInput.one("lawyer", _("请选择承办律师。"))
    qs = User.objects.filter(role=Role.LAWYER, is_active=True)
    user = qs.filter(username=key).first()
    if user is None and key.isdigit():
        user = qs.filter(pk=int(key)).first()
    if (
        user is None
        or user.org is None
        or not (user.org.path.startswith(case.org.path) or case.org.path.startswith(user.org.path))
    ):
        raise InvalidInput.one("lawyer", _("未找到该律师，或其不在本中心的范围内。"))
    return user


def split_amount(total: Decimal, n: int) -> list[Decimal]:
    """``total`` split over ``n`` workers to the fen; the remainder fen go to the first ones."""
    if n <= 0:
        return []
    each = (total / n).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    rest = int((total - each * n) * 100)
    return [each + (Decimal("0.01") if i < rest else Decimal("0")) for i in range(n)]


@transaction.atomic
def case_act(*, actor: Any, case: Case, action: str, data: dict[str, Any] | None = None) -> Case:
    """One workflow step by name (the API's ``POST /cases/{id}/<step>`` and the page's forms)."""
    data = dict(data or {})
    case = Case.objects.select_for_update().select_related("org").get(pk=case.pk)
    name = action.replace("-", "_")
    _check_step(actor, case, name)
    step = WORKFLOW.get(name)
    before_state = case.status
    before = audit.snapshot(case, AUDITED)
    today = _today()
    note = str(data.get("note") or "").strip()[:2000]
    fields = ["status", "updated_at"]
    if name in ("return", "refuse", "transfer", "refer", "reassign", "withdraw"):
        note = _text(data, "reason", _("理由"), limit=1000)
    if name == "complete":
        case.completed_on = today
        fields.append("completed_on")
    elif name == "approve":
        case.decided_on = today
        fields.append("decided_on")
        Delivered.objects.get_or_create(
            case=case, defaults={"org": case.org, "kind": ServiceKind.CASE, "on": today}
        )
    elif name == "refuse":
        case.decided_on, case.refusal_reason = today, note
        fields += ["decided_on", "refusal_reason"]
    elif name == "transfer":
        code = str(data.get("org") or "").strip()
        target = Org.objects.filter(code=code, active=True).first()
        if target is None or target.kind not in ("county", "city") or target.pk == case.org_id:
            raise InvalidInput.one("org", _("请选择接收案件的县区或市总工会。"))
        case.org = target
        case.completed_on = None
        fields += ["org", "completed_on"]
    elif name == "refer":
        case.referred_to = _text(data, "to", _("转介机构"), limit=100)
        fields.append("referred_to")
    elif name in ("assign", "reassign"):
        case.lawyer = _lawyer(data.get("lawyer"), case)
        case.assigned_on = today
        staff = Staff.objects.filter(user=case.lawyer).select_related("station").first()
        case.station = staff.station if staff else None
        fields += ["lawyer", "assigned_on", "station"]
        if name == "reassign" and before_state == Status.IN_PROGRESS:
            pass  # the new lawyer accepts again
    elif name == "conclude":
        case.outcome = _choice(data, "outcome", Outcome, _("结果"))
        case.amount_recovered = _money(data.get("amount"), "amount", _("挽回金额"))
        applicants = list(case.applicants.all())
        helped = data.get("workers")
        try:
            case.workers_helped = int(helped) if helped not in (None, "") else len(applicants)
        except (TypeError, ValueError) as exc:
            raise InvalidInput.one("workers", _("受助人数应为整数。")) from exc
        if not 0 <= case.workers_helped <= 100000:
            raise InvalidInput.one("workers", _("受助人数应为整数。"))
        for a, share in zip(
            applicants, split_amount(case.amount_recovered, len(applicants)), strict=True
        ):
            a.share = share
        Applicant.objects.bulk_update(applicants, ["share"])
        fields += ["outcome", "amount_recovered", "workers_helped"]
    elif name in ("close", "withdraw"):
        if name == "withdraw":
            case.outcome = Outcome.WITHDRAWN
            fields.append("outcome")
        case.closed_on = today
        case.closed_on_time = on_time(case)
        fields += ["closed_on", "closed_on_time"]
    case.status = step.target
    case.save(update_fields=fields)
    _event(case, actor=actor, action=name, label=step.label, before=before_state, note=note)
    _audit(actor, case, name, before, note)
    return case


def on_time(case: Case) -> bool:
    """Were the centre's own limits kept: paperwork checked within ``complete_workdays`` of
    the application and the decision within ``approve_workdays`` of the paperwork?"""
    from .deadlines import due_on, limit

    if case.completed_on and case.completed_on > due_on(
        case.applied_on, limit("complete_workdays")
    ):
        return False
    if case.completed_on and case.decided_on:
        return case.decided_on <= due_on(case.completed_on, limit("approve_workdays"))
    return True


@transaction.atomic
def case_stage(
    *,
    actor: Any,
    case: Case,
    kind: str,
    on: Any,
    note: str = "",
    upload: Any = None,
) -> Stage:
    """The lawyer records a stage of their case with its date (and a document): the stages
    that start a statutory clock set the case's date for it."""
    case = Case.objects.select_for_update().select_related("org").get(pk=case.pk)
    if getattr(actor, "role", None) != Role.LAWYER or case.lawyer_id != actor.pk:
        raise NotFound()
    if case.status != Status.IN_PROGRESS:
        WORKFLOW.check(case.status, "conclude", Role.LAWYER)  # 409 naming what is allowed
    kind = _choice({"kind": kind}, "kind", StageKind, _("阶段"))
    day = _date({"on": on}, "on", _("日期"))
    assert day is not None
    if day < case.dispute_on:
        raise InvalidInput.one("on", _("阶段日期不能早于争议发生日。"))
    before = audit.snapshot(case, AUDITED)
    stored = None
    if upload is not None:
        stored = uploads.store(
            actor=actor,
            org=case.org,
            upload=upload,
            purpose="legal",
            retain_days=EVIDENCE_RETAIN_DAYS,
        )
        CaseFile.objects.create(case=case, file=stored, by=actor)
    stage = Stage.objects.create(
        case=case, kind=kind, on=day, note=note.strip()[:2000], file=stored, by=actor
    )
    field = STAGE_DATE_FIELD.get(StageKind(kind))
    if field:
        setattr(case, field, day)
        case.save(update_fields=[field, "updated_at"])
    elif kind == StageKind.EXTENDED:
        case.award_extended = True
        case.save(update_fields=["award_extended", "updated_at"])
    label = str(StageKind(kind).label)
    _event(
        case,
        actor=actor,
        action="stage",
        label=label,
        before=case.status,
        note=f"{day:%Y-%m-%d} {note}".strip(),
    )
    _audit(actor, case, "stage", before, label)
    return stage


@transaction.atomic
def case_attach(*, actor: Any, case: Case, upload: Any) -> CaseFile:
    """Evidence (photos, PDFs) through the upload guard: type by its first bytes, size limit,
    stored 0600 with its hash under the data dir."""
    if case.status not in (
        Status.APPLIED,
        Status.RETURNED,
        Status.COMPLETE,
        Status.APPROVED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
    ):
        raise InvalidInput.one("file", _("已办结的案件不能再上传材料。"))
    stored = uploads.store(
        actor=actor, org=case.org, upload=upload, purpose="legal", retain_days=EVIDENCE_RETAIN_DAYS
    )
    item = CaseFile.objects.create(case=case, file=stored, by=actor)
    _event(
        case,
        actor=actor,
        action="attach",
        label=_("上传材料"),
        before=case.status,
        note=stored.name,
    )
    audit.record(
        actor=actor,
        action="legal.attach",
        object_type="legal_case",
        object_id=case.pk,
        object_org=case.org,
        object_repr=case.number,
        changes={"attachment": {"before": None, "after": stored.name}},
    )
    return item


@transaction.atomic
def case_rate(*, actor: Any, case: Case, rating: Any, note: str = "") -> Case:
    if getattr(actor, "role", None) != Role.MEMBER:
        raise Forbidden(_("只有申请人可以评价"))
    if case.status != Status.CLOSED:
        raise InvalidInput.one("rating", _("结案后才能评价。"))
    try:
        value = int(rating)
    except (TypeError, ValueError) as exc:
        raise InvalidInput.one("rating", _("评价应为1至5星。")) from exc
    if not 1 <= value <= 5:
        raise InvalidInput.one("rating", _("评价应为1至5星。"))
    before = audit.snapshot(case, AUDITED)
    case.rating, case.rating_note = value, note.strip()[:200]
    case.save(update_fields=["rating", "rating_note", "updated_at"])
    _event(case, actor=actor, action="rate", label=_("评价服务"), before=case.status)
    _audit(actor, case, "rate", before)
    return case


# --- consultations ------------------------------------------------------------------------


def _consult_audit(actor: Any, c: Consultation, action: str, changes: dict[str, Any]) -> None:
    # the record's kind, status and who holds it: never its subject or messages
    audit.record(
        actor=actor,
        action=f"legal.consult_{action}",
        object_type="legal_consultation",
        object_id=c.pk,
        object_org=c.org,
        object_repr=str(c),
        changes=changes,
    )


def _auto_assignee(kind: str, org: Org) -> Any:
    """The least-loaded active counsellor (or lawyer) of the union's centre, then above it."""
    from django.db.models import Count, Q

    from gonghui.accounts.models import User

    role = Role.COUNSELLOR if kind == ConsultKind.PSYCH else Role.LAWYER
    centre = centre_for(org)
    ids = [int(i) for i in centre.path.strip("/").split("/") if i]
    for org_id in reversed(ids):
        user = (
            User.objects.filter(role=role, is_active=True, org_id=org_id)
            .annotate(
                load=Count("consultations", filter=Q(consultations__status=ConsultStatus.WAITING))
            )
            .order_by("load", "id")
            .first()
        )
        if user is not None:
            return user
    return None


@transaction.atomic
def consultation_ask(
    *, actor: Any, kind: str, subject: str, text: str, anonymous: bool = False
) -> Consultation:
    if getattr(actor, "role", None) != Role.MEMBER or actor.org is None:
        raise Forbidden(_("只有会员可以在线咨询"))
    kind = _choice({"kind": kind}, "kind", ConsultKind, _("咨询类别"))
    subject = _text({"subject": subject}, "subject", _("主题"), limit=100)
    text = _text({"text": text}, "text", _("问题"), limit=5000)
    now = timezone.now()
    crisis = has_crisis(subject) or has_crisis(text)
    c = Consultation.objects.create(
        kind=kind,
        org=actor.org,
        asker=actor,
        anonymous=bool(anonymous),
        subject=subject,
        asked_at=now,
        asked_on=timezone.localdate(now),
        crisis=crisis,
        assignee=_auto_assignee(kind, actor.org),
    )
    Message.objects.create(consultation=c, author=actor, body=text, at=now, crisis=crisis)
    _consult_audit(
        actor,
        c,
        "ask",
        {"kind": {"before": None, "after": kind}, "crisis": {"before": None, "after": crisis}},
    )
    return c


@transaction.atomic
def consultation_assign(*, actor: Any, consultation: Consultation, assignee: Any) -> Consultation:
    from gonghui.accounts.models import User

    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not can(actor, "legal.manage", c.org) and not can(actor, "legal.manage", centre_for(c.org)):
        raise Forbidden(_("只有工会干部可以分派咨询"))
    role = Role.COUNSELLOR if c.kind == ConsultKind.PSYCH else Role.LAWYER
    key = str(getattr(assignee, "username", assignee) or "").strip()
    user = User.objects.filter(username=key, role=role, is_active=True).first()
    if user is None or not can(actor, "orgs.view", user.org):
        raise InvalidInput.one("assignee", _("未找到该答复人。"))
    before = c.assignee.username if c.assignee else None
    c.assignee = user
    c.save(update_fields=["assignee", "updated_at"])
    _consult_audit(actor, c, "assign", {"assignee": {"before": before, "after": user.username}})
    return c


@transaction.atomic
def consultation_reply(*, actor: Any, consultation: Consultation, text: str) -> Message:
    """A message in the thread: by the asker, or by the assigned lawyer or counsellor. The
    first answer counts as a legal-aid service delivered; words of crisis flag it."""
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    is_asker = actor.pk == c.asker_id
    if not (is_asker or actor.pk == c.assignee_id):
        raise NotFound()
    if c.status == ConsultStatus.CLOSED:
        raise InvalidInput.one("text", _("咨询已结束，不能再回复。"))
    body = _text({"text": text}, "text", _("回复"), limit=5000)
    now = timezone.now()
    crisis = is_asker and has_crisis(body)
    msg = Message.objects.create(consultation=c, author=actor, body=body, at=now, crisis=crisis)
    changes: dict[str, Any] = {}
    fields = ["updated_at"]
    if crisis and not c.crisis:
        c.crisis = True
        fields.append("crisis")
        changes["crisis"] = {"before": False, "after": True}
    if not is_asker:
        if c.first_response_at is None:
            c.first_response_at, c.answered_on = now, timezone.localdate(now)
            fields += ["first_response_at", "answered_on"]
            Delivered.objects.get_or_create(
                consultation=c,
                defaults={"org": c.org, "kind": ServiceKind.CONSULTATION, "on": c.answered_on},
            )
        if c.status != ConsultStatus.ANSWERED:
            changes["status"] = {"before": c.status, "after": ConsultStatus.ANSWERED}
            c.status = ConsultStatus.ANSWERED
            fields.append("status")
    elif c.status == ConsultStatus.ANSWERED:
        changes["status"] = {"before": c.status, "after": ConsultStatus.WAITING}
        c.status = ConsultStatus.WAITING
        fields.append("status")
    c.save(update_fields=fields)
    _consult_audit(actor, c, "reply", changes)
    return msg


@transaction.atomic
def consultation_close(*, actor: Any, consultation: Consultation) -> Consultation:
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if actor.pk not in (c.asker_id, c.assignee_id):
        raise NotFound()
    if c.status == ConsultStatus.CLOSED:
        raise InvalidInput.one("status", _("咨询已结束。"))
    before = c.status
    c.status, c.closed_at = ConsultStatus.CLOSED, timezone.now()
    c.save(update_fields=["status", "closed_at", "updated_at"])
    _consult_audit(actor, c, "close", {"status": {"before": before, "after": c.status}})
    return c


# --- stations and staff ---------------------------------------------------------------------

STATION_FIELDS = (
    "code",
    "name",
    "kind",
    "org",
    "address",
    "longitude",
    "latitude",
    "hours",
    "phone",
    "founded_on",
    "active",
)
STAFF_FIELDS = ("station", "name", "kind", "firm", "phone", "user", "since", "active")


def _coordinate(value: Any, field: str, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise InvalidInput.one(field, _("坐标应为数字。")) from exc
    if not number.is_finite() or not low <= number <= high:
        raise InvalidInput.one(field, _("坐标超出范围。"))
    return number.quantize(Decimal("0.000001"))


@transaction.atomic
def station_save(*, actor: Any, data: dict[str, Any], station: Station | None = None) -> Station:
    """Create or update a station (keyed by its code, so an import run twice changes nothing)."""
    code = _text(data, "code", _("站点编号"), limit=20)
    org_code = _text(data, "org", _("所属工会"), limit=32)
    org = Org.objects.filter(code=org_code, active=True).first()
    if org is None or not can(actor, "legal.stations", org):
        raise InvalidInput.one("org", _("未找到该工会。"))
    if station is None:
        station = Station.objects.filter(code=code).first()
        if station is not None and not can(actor, "legal.stations", station.org):
            raise InvalidInput.one("code", _("站点编号已被使用。"))
    created = station is None
    before = {} if created else audit.snapshot(station)  # type: ignore[arg-type]
    station = station or Station(code=code)
    station.code = code
    station.name = _text(data, "name", _("站点名称"), limit=100)
    station.kind = _choice(data, "kind", StationKind, _("类型"))
    station.org = org
    station.address = _text(data, "address", _("地址"), required=False, limit=200)
    station.longitude = _coordinate(data.get("longitude"), "longitude", -180, 180)
    station.latitude = _coordinate(data.get("latitude"), "latitude", -90, 90)
    station.hours = _text(data, "hours", _("服务时间"), required=False, limit=100)
    station.phone = _text(data, "phone", _("联系电话"), required=False, limit=30)
    station.founded_on = _date(data, "founded_on", _("设立日期"), required=False) or _today()
    station.active = data.get("active", True) not in (False, "0", "否", "false")
    after = audit.snapshot(station)
    if not created and not audit.diff(before, after):
        return station
    station.save()
    audit.record(
        actor=actor,
        action="legal.station_create" if created else "legal.station_update",
        object_type="legal_station",
        object_id=station.pk,
        object_org=org,
        object_repr=station.name,
        changes=audit.diff(before, audit.snapshot(station)),
    )
    return station


@transaction.atomic
def staff_save(*, actor: Any, data: dict[str, Any], staff: Staff | None = None) -> Staff:
    from gonghui.accounts.models import User

    code = _text(data, "station", _("所在站点"), limit=20)
    station = Station.objects.filter(code=code).select_related("org").first()
    if station is None or not can(actor, "legal.stations", station.org):
        raise InvalidInput.one("station", _("未找到该站点。"))
    name = _text(data, "name", _("姓名"), limit=50)
    if staff is None:
        staff = Staff.objects.filter(station=station, name=name).first()
    created = staff is None
    before = {} if created else audit.snapshot(staff)  # type: ignore[arg-type]
    staff = staff or Staff()
    staff.station, staff.org, staff.name = station, station.org, name
    staff.kind = _choice(data, "kind", StaffKind, _("类别"))
    staff.firm = _text(data, "firm", _("执业机构"), required=False, limit=100)
    staff.phone = _text(data, "phone", _("联系电话"), required=False, limit=30)
    username = str(data.get("user") or "").strip()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None or not can(actor, "orgs.view", user.org):
            raise InvalidInput.one("user", _("未找到该账号。"))
        staff.user = user
    staff.since = _date(data, "since", _("聘任日期"), required=False) or _today()
    staff.active = data.get("active", True) not in (False, "0", "否", "false")
    if not created and not audit.diff(before, audit.snapshot(staff)):
        return staff
    staff.save()
    audit.record(
        actor=actor,
        action="legal.staff_create" if created else "legal.staff_update",
        object_type="legal_staff",
        object_id=staff.pk,
        object_org=station.org,
        object_repr=staff.name,
        changes=audit.diff(before, audit.snapshot(staff)),
    )
    return staff


_SAFE = re.compile(r"[^\w\-. ]")
