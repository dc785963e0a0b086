"""Writes to work orders. Every step is one transaction with an event on the order's
timeline and an audit row; the order row is locked (``select_for_update``) while it moves.

Who may take a step is data (``workflow.WORKFLOW`` roles and ``workflow.WHO`` orgs); the
checks run in this order: the order is visible to the actor (else 404, as if missing), the
role may handle orders at all (403), the step is allowed in this state for this role (409,
naming what is allowed), the actor sits at the right org (403).
"""

from __future__ import annotations

import dataclasses
import datetime
import mimetypes
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gonghui.core import audit, uploads
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import normalise, normalise_mobile
from gonghui.core.roles import Role, can
from gonghui.orgs.models import Org

from . import deadlines
from .models import (
    Card,
    Category,
    Channel,
    Complexity,
    Notification,
    NotificationKind,
    PathRole,
    Satisfaction,
    Status,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketOrg,
    Urgency,
)
from .selectors import acts_for, is_above_holder, may_take, topic_find
from .workflow import ACTION_ALIASES, NOTES, WHO, WORKFLOW

AUDITED = (
    "status",
    "handler_org",
    "dispatcher_org",
    "due_on",
    "extended_days",
    "card",
    "satisfaction",
    "wages_recovered",
    "workers",
    "result",
    "closed_on_time",
    "reopen_count",
    "supervised_count",
)
MAX_ATTACHMENT = 10 * 1024 * 1024
# the extensions an order's attachment may have → the kind its first bytes must show
ATTACHMENT_EXTENSIONS = {
    ext: kind
    for ext, kind in uploads.ATTACHMENT_TYPES.items()
    if ext in (".pdf", ".jpg", ".jpeg", ".png", ".mp3", ".wav", ".doc", ".docx", ".xls", ".xlsx",
               ".txt")
}  # fmt: skip


# --- helpers ----------------------------------------------------------------------------


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_username())[:150]
    return str(actor or "system")[:150]


def _event(
    ticket: Ticket,
    *,
    actor: Any,
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    internal: bool = False,
    at: datetime.datetime | None = None,
) -> TicketEvent:
    is_user = getattr(actor, "is_authenticated", False)
    return TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if is_user else None,
        actor_name=_actor_name(actor),
        org_id=getattr(actor, "org_id", None) if is_user else None,
        at=at or timezone.now(),
        note=note,
        data=data or {},
        internal=internal,
    )


def _audit(actor: Any, ticket: Ticket, action: str, before: dict[str, Any], note: str = "") -> None:
    audit.record(
        actor=actor,
        action=f"hotline.{action}",
        object_type="ticket",
        object_id=ticket.pk,
        object_org=ticket.receiving_org,
        object_repr=str(ticket),
        changes=audit.diff(before, audit.snapshot(ticket, AUDITED)),
        note=note,
    )


def _text(data: dict[str, Any], key: str, *, required: bool = False, label: str = "") -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise InvalidInput.one(key, _("请填写%(label)s") % {"label": label or key})
    return value


def _org_code(value: Any, field: str) -> Org:
    code = str(value or "").strip()
    if not code:
        raise InvalidInput.one(field, _("请填写单位代码"))
    org = Org.objects.filter(code=code, active=True).first()
    if org is None:
        raise InvalidInput.one(field, _("未找到代码为 %(code)s 的工会") % {"code": code})
    return org


def _lock(ticket: Ticket) -> Ticket:
    # no select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _visible_or_404(actor: Any, ticket: Ticket) -> None:
    if not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise NotFound()


def _check_step(actor: Any, ticket: Ticket, name: str) -> None:
    if not can(actor, "hotline.handle"):
        raise Forbidden(_("当前角色不能办理热线工单"))
    WORKFLOW.check(ticket.status, name, actor.role)
    if not may_take(actor, ticket, name):
        raise Forbidden(
            _("“%(step)s”只能由%(who)s办理")
            % {
                "step": WORKFLOW.get(name).label,
                "who": {
                    "receiving": _("受理单位"),
                    "holder": _("当前承办单位"),
                    "dispatcher": _("派单单位"),
                }[WHO[name]],
            }
        )


def _step(
    *,
    actor: Any,
    ticket: Ticket,
    name: str,
    apply: Callable[[Ticket], list[str]] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    audit_note: str = "",
) -> Ticket:
    """Take one workflow step: checks, state change, ``apply`` (returns the fields it set),
    event and audit row, in one transaction."""
    with transaction.atomic():
        _visible_or_404(actor, ticket)
        locked = _lock(ticket)
        _check_step(actor, locked, name)
        before = audit.snapshot(locked, AUDITED)
        from_status = locked.status
        transition = WORKFLOW.get(name)
        locked.status = transition.target
        fields = ["status", "updated_at"]
        if apply is not None:
            fields += apply(locked)
        locked.save(update_fields=list(dict.fromkeys(fields)))
        # a counter raised in the database (``F() + 1``): read its new value back, so that the
        # audit row records the number, not the expression
        raised = [f for f in fields if hasattr(getattr(locked, f, None), "resolve_expression")]
        if raised:
            locked.refresh_from_db(fields=raised)
        _event(
            locked,
            actor=actor,
            action=name,
            from_status=from_status,
            to_status=locked.status,
            note=note,
            data=data,
        )
        _audit(actor, locked, name, before, audit_note or note[:200])
    return locked


def _close_fields(ticket: Ticket, now: datetime.datetime) -> list[str]:
    ticket.closed_at = now
    ticket.closed_on = timezone.localdate(now)
    ticket.closed_on_time = ticket.due_on is None or ticket.closed_on <= ticket.due_on
    return ["closed_at", "closed_on", "closed_on_time"]


def _enter_path(ticket: Ticket, org: Org, via: Org | None, role: str) -> None:
    TicketOrg.objects.get_or_create(
        ticket=ticket, org=org, defaults={"via": via, "role": role, "at": timezone.now()}
    )


def _county_of(org: Org) -> int | None:
    """The depth-1 org above (or at) ``org``: the county federation for statistics."""
    ids = [int(p) for p in org.path.strip("/").split("/") if p]
    return ids[1] if len(ids) > 1 else None


# --- intake -----------------------------------------------------------------------------


def _received_at(value: Any) -> datetime.datetime:
    if value in (None, ""):
        return timezone.now()
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            try:
                day = datetime.date.fromisoformat(value)
            except ValueError as exc:
                raise InvalidInput.one("received_at", _("受理时间格式不正确")) from exc
            parsed = datetime.datetime.combine(day, datetime.time(9, 0))
        value = parsed
    elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(9, 0))
    if not isinstance(value, datetime.datetime):
        raise InvalidInput.one("received_at", _("受理时间格式不正确"))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + datetime.timedelta(minutes=5):
        raise InvalidInput.one("received_at", _("受理时间不能晚于现在"))
    return value


def _phone(value: Any) -> str:
    text = normalise(value or "")
    if not text:
        return ""
    try:
        return normalise_mobile(text)
    except ValidationError:
        # landlines (0530-1234567) are kept as typed, digits and dashes only
        cleaned = "".join(ch for ch in text if ch.isdigit() or ch == "-")
        if len(cleaned.replace("-", "")) < 7:
            raise InvalidInput.one("caller_phone", _("电话号码不正确")) from None
        return cleaned


def _choice(data: dict[str, Any], key: str, choices: Any, default: str = "") -> str:
    value = str(data.get(key) or default).strip()
    if value not in choices.values:
        allowed = "、".join(choices.values)
        raise InvalidInput.one(key, _("取值应为：%(allowed)s") % {"allowed": allowed})
    return value


def _link_member(id_number: str, phone: str) -> Any:
    from gonghui.members.models import Member

    if id_number:
        found = Member.objects.filter(
            id_number_bidx=blind_index_for("citizen_id", id_number)
        ).first()
        if found is not None:
            return found
    if phone:
        return (
            Member.objects.filter(phone_bidx=blind_index_for("mobile", phone))
            .order_by("-status_since")
            .first()
        )
    return None


def _receiving_org(actor: Any, data: dict[str, Any]) -> Org:
    if actor.role == Role.MEMBER:
        home = actor.org
        if home is None:
            raise Forbidden(_("账号未归属任何工会"))
        root_id = int(home.path.strip("/").split("/")[0])
        return Org.objects.get(pk=root_id)
    code = str(data.get("org") or data.get("receiving_org") or "").strip()
    org = _org_code(code, "org") if code else actor.org
    if org is None or not can(actor, "hotline.intake", org):
        raise NotFound(_("未找到该工会"))
    return org


def _existing(external_no: str, actor: Any) -> Ticket | None:
    found = Ticket.objects.pushed_as(external_no).first()
    if found is None:
        return None
    if not Ticket.objects.visible_to(actor).filter(pk=found.pk).exists():
        raise Conflict(_("省平台工单号 %(no)s 已被其他单位登记") % {"no": external_no})
    return found


def ticket_create(*, actor: Any, data: dict[str, Any]) -> tuple[Ticket, bool]:
    """File an order. Returns ``(ticket, created)``: an ``external_no`` already filed answers
    the existing order and creates nothing. A consultation answered on the spot
    (``answered``/``answered_on_spot`` with ``answer``) is closed at once."""
    is_member = getattr(actor, "role", "") == Role.MEMBER
    if not (can(actor, "hotline.intake") or (is_member and can(actor, "hotline.file"))):
        raise Forbidden(_("当前角色不能登记热线工单"))
    external_no = _text(data, "external_no")[:40]
    if external_no:
        found = _existing(external_no, actor)
        if found is not None:
            return found, False
    errors: list[dict[str, str]] = []

    def field(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except InvalidInput as exc:
            errors.extend(exc.errors)
            return None

    member_record = getattr(actor, "member", None) if is_member else None
    received_at = field(lambda: _received_at(data.get("received_at")))
    channel = field(
        lambda: _choice(data, "channel", Channel, Channel.APP if is_member else Channel.PHONE)
    )
    caller_name = _text(data, "caller_name") or (
        (member_record.name if member_record else actor.full_name) if is_member else ""
    )
    if not caller_name:
        errors.append({"field": "caller_name", "message": _("请填写来电人姓名")})
    phone = field(lambda: _phone(data.get("caller_phone")))
    id_number = normalise(data.get("caller_id_number") or "").upper()
    category = field(lambda: _choice(data, "category", Category))
    complexity = field(lambda: _choice(data, "complexity", Complexity, Complexity.NORMAL))
    urgency_default = Urgency.URGENT if data.get("urgent") else Urgency.NORMAL
    urgency = field(lambda: _choice(data, "urgency", Urgency, urgency_default))
    topic = topic_find(str(data.get("topic") or ""))
    if topic is None:
        errors.append({"field": "topic", "message": _("未找到该诉求主题（请填代码或名称）")})
    content = _text(data, "content")
    if not content:
        errors.append({"field": "content", "message": _("请填写诉求内容")})
    on_spot = bool(data.get("answered") or data.get("answered_on_spot"))
    answer = _text(data, "answer")
    if on_spot and category and category != Category.CONSULT:
        errors.append({"field": "answered", "message": _("只有咨询类工单可以当场答复结案")})
    if on_spot and not answer:
        errors.append({"field": "answer", "message": _("请填写答复内容")})
    if on_spot and is_member:
        errors.append({"field": "answered", "message": _("会员不能当场结案")})
    if errors:
        raise InvalidInput(errors)
    assert topic is not None  # an error above otherwise
    org = _receiving_org(actor, data)
    member = member_record if is_member and member_record else _link_member(id_number, phone)
    received_on = timezone.localdate(received_at)
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                external_no=external_no,
                channel=channel,
                received_at=received_at,
                received_on=received_on,
                caller_name=caller_name[:50],
                caller_phone=phone,
                caller_id_number=id_number,
                member=member,
                filed_by=actor if getattr(actor, "is_authenticated", False) else None,
                employer=_text(data, "employer")[:150],
                category=category,
                complexity=complexity,
                topic=topic,
                content=content,
                urgency=urgency,
                receiving_org=org,
                due_on=deadlines.due_date(received_on, category, complexity),
            )
            ticket.number = f"{received_on:%Y%m%d}{ticket.pk:06d}"
            ticket.save(update_fields=["number"])
            _enter_path(ticket, org, None, PathRole.RECEIVING)
            _event(
                ticket,
                actor=actor,
                action="create",
                to_status=Status.RECEIVED,
                data={"channel": channel, "external_no": external_no},
                at=received_at,
            )
            audit.record(
                actor=actor,
                action="hotline.create",
                object_type="ticket",
                object_id=ticket.pk,
                object_org=org,
                object_repr=str(ticket),
                changes={
                    k: {"before": None, "after": v}
                    for k, v in audit.snapshot(
                        ticket,
                        [
                            "number",
                            "external_no",
                            "channel",
                            "caller_name",
                            "caller_phone",
                            "category",
                            "complexity",
                            "topic",
                            "content",
                            "due_on",
                        ],
                    ).items()
                },
            )
            if on_spot:
                before = audit.snapshot(ticket, AUDITED)
                WORKFLOW.check(ticket.status, "answer")
                ticket.status = Status.CLOSED
                ticket.answered_on_spot = True
                ticket.answer = answer
                fields = ["status", "answered_on_spot", "answer", "updated_at"]
                fields += _close_fields(ticket, received_at)  # answered during the call
                ticket.save(update_fields=fields)
                _event(
                    ticket,
                    actor=actor,
                    action="answer",
                    from_status=Status.RECEIVED,
                    to_status=Status.CLOSED,
                    note=_("当场答复"),
                )
                _audit(actor, ticket, "answer", before)
    except IntegrityError:
        # the same provincial order pushed twice at once: the other request won
        if external_no:
            found = Ticket.objects.pushed_as(external_no).first()
            if found is not None:
                return found, False
        raise
    return ticket, True


def ticket_attach(*, actor: Any, ticket: Ticket, upload: Any) -> TicketAttachment:
    """Attach a file (at most 10 MB; PDF, images, audio, Office, text) to an order, through
    the upload guard (``core.uploads.store``): its extension one of ``ATTACHMENT_EXTENSIONS``
    and its first bytes agreeing, its bytes counted while it is copied, kept 0600 under the
    data dir as a ``StoredFile`` of the receiving org with its sha256 for
    ``settings.HOTLINE_ATTACHMENT_DAYS``. The type shown is the one the extension names, not
    what the browser declared."""
    size = int(getattr(upload, "size", 0) or 0)
    if size > MAX_ATTACHMENT:
        raise InvalidInput.one("attachment", _("附件不能超过 10 MB"))
    if size == 0:
        raise InvalidInput.one("attachment", _("附件是空文件"))
    name = str(getattr(upload, "name", "") or "file")[-200:]
    ext = Path(name).suffix.lower()
    if ext not in ATTACHMENT_EXTENSIONS:
        raise InvalidInput.one("attachment", _("不支持的附件类型：%(t)s") % {"t": ext or name})
    with transaction.atomic():
        _visible_or_404(actor, ticket)
        if getattr(actor, "role", "") == Role.MEMBER and ticket.filed_by_id != actor.pk:
            raise NotFound()
        limits = dataclasses.replace(uploads.Limits.current(), max_bytes=MAX_ATTACHMENT)
        try:
            stored = uploads.store(
                actor=actor,
                org=ticket.receiving_org,
                upload=upload,
                purpose="hotline",
                retain_days=settings.HOTLINE_ATTACHMENT_DAYS,
                allowed=ATTACHMENT_EXTENSIONS,
                limits=limits,
            )
        except uploads.UploadRefused as exc:
            raise InvalidInput.one("attachment", exc.detail) from exc
        try:
            item = TicketAttachment.objects.create(
                ticket=ticket,
                stored=stored,
                name=name,
                size=stored.size,
                content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            _event(ticket, actor=actor, action="attach", note=name, data={"attachment": item.pk})
            audit.record(
                actor=actor,
                action="hotline.attach",
                object_type="ticket",
                object_id=ticket.pk,
                object_org=ticket.receiving_org,
                object_repr=str(ticket),
                changes={"attachment": {"before": None, "after": name}},
            )
        except BaseException:
            uploads.remove(Path(settings.DATA_DIR) / stored.path)
            raise
    return item


# --- the steps --------------------------------------------------------------------------


def _dispatch_target(actor: Any, ticket: Ticket, code: Any, *, sender_id: int) -> Org:
    org = _org_code(code, "org")
    sender = Org.objects.get(pk=sender_id)
    if org.pk == sender.pk or not org.path.startswith(sender.path):
        raise InvalidInput.one("org", _("只能派往本单位的下级工会"))
    if org.pk == ticket.handler_org_id:
        raise InvalidInput.one("org", _("工单已在该单位"))
    return org


def ticket_dispatch(*, actor: Any, ticket: Ticket, org: Any, note: str = "") -> Ticket:
    """派单: the holder passes the order down to an org of its subtree."""
    sender_id = ticket.holder_id
    target = _dispatch_target(actor, ticket, org, sender_id=sender_id)

    def apply(t: Ticket) -> list[str]:
        sender = Org.objects.get(pk=t.holder_id)
        t.dispatcher_org = sender
        t.handler_org = target
        t.county_id = _county_of(target)
        _enter_path(t, target, sender, PathRole.HANDLER)
        fields = ["dispatcher_org", "handler_org", "county"]
        if t.dispatched_at is None:
            t.dispatched_at = timezone.now()
            t.dispatched_on = timezone.localdate(t.dispatched_at)
            fields += ["dispatched_at", "dispatched_on"]
        return fields

    return _step(
        actor=actor,
        ticket=ticket,
        name="dispatch",
        apply=apply,
        note=note,
        data={"org": target.code, "org_name": target.name},
    )


def ticket_accept(*, actor: Any, ticket: Ticket, note: str = "") -> Ticket:
    """签收: the holder takes the order to handle it itself."""

    def apply(t: Ticket) -> list[str]:
        if t.handler_org_id is None:  # back at the receiving org, which handles it itself
            t.handler_org_id = t.receiving_org_id
            return ["handler_org"]
        return []

    return _step(actor=actor, ticket=ticket, name="accept", apply=apply, note=note)


def ticket_return(*, actor: Any, ticket: Ticket, reason: str) -> Ticket:
    """退单: back to the org that dispatched it, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.one("reason", _("请填写退单原因"))

    def apply(t: Ticket) -> list[str]:
        if t.handler_org_id is None or t.handler_org_id == t.receiving_org_id:
            raise Conflict(_("受理单位不能再退单，请改为派单或自行办理"), allowed=["dispatch"])
        back = t.dispatcher_org_id or t.receiving_org_id
        t.handler_org_id = None if back == t.receiving_org_id else back
        # the org above the new holder, as the path recorded it
        above = (
            TicketOrg.objects.filter(ticket=t, org_id=back).values_list("via_id", flat=True).first()
        )
        t.dispatcher_org_id = above if t.handler_org_id else None
        return ["handler_org", "dispatcher_org"]

    return _step(
        actor=actor, ticket=ticket, name="return", apply=apply, note=reason, data={"reason": reason}
    )


def ticket_extend(*, actor: Any, ticket: Ticket, days: Any, reason: str) -> Ticket:
    """申请延期: the handler asks for more working days."""
    try:
        n = int(days)
    except (TypeError, ValueError):
        raise InvalidInput.one("days", _("请填写延期的工作日数")) from None
    if not 1 <= n <= 30:
        raise InvalidInput.one("days", _("延期应为 1 至 30 个工作日"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.one("reason", _("请填写延期原因"))

    def apply(t: Ticket) -> list[str]:
        t.extension_days_requested = n
        return ["extension_days_requested"]

    return _step(
        actor=actor,
        ticket=ticket,
        name="extend",
        apply=apply,
        note=reason,
        data={"days": n, "reason": reason},
    )


def ticket_approve_extension(
    *, actor: Any, ticket: Ticket, approved: bool, note: str = ""
) -> Ticket:
    """审批延期: granted adds the working days to the due date; refused keeps it."""
    approved = bool(approved)

    def apply(t: Ticket) -> list[str]:
        days = t.extension_days_requested
        t.extension_days_requested = 0
        fields = ["extension_days_requested"]
        if approved and t.due_on is not None:
            t.due_on = deadlines.extended(t.due_on, days)
            t.extended_days = F("extended_days") + days
            fields += ["due_on", "extended_days"]
        return fields

    result = _step(
        actor=actor,
        ticket=ticket,
        name="approve_extension",
        apply=apply,
        note=note or (_("同意延期") if approved else _("不同意延期")),
        data={"approved": approved},
    )
    result.refresh_from_db(fields=["extended_days"])
    return result


def _money(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")  # as the row holds it: no change "0.00 → 0" in the audit
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput.one("wages_recovered", _("金额格式不正确")) from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise InvalidInput.one("wages_recovered", _("金额应为非负数"))
    return amount


def ticket_reply(
    *, actor: Any, ticket: Ticket, result: str, wages_recovered: Any = None, workers: Any = None
) -> Ticket:
    """办结反馈: the handler's result, wages recovered (yuan) and workers concerned."""
    result = (result or "").strip()
    if not result:
        raise InvalidInput.one("result", _("请填写办理结果"))
    amount = _money(wages_recovered)
    try:
        n_workers = int(workers or 0)
    except (TypeError, ValueError):
        raise InvalidInput.one("workers", _("人数应为整数")) from None
    if n_workers < 0:
        raise InvalidInput.one("workers", _("人数应为非负整数"))

    def apply(t: Ticket) -> list[str]:
        t.result = result
        t.wages_recovered = amount
        t.workers = n_workers
        t.replied_at = timezone.now()
        return ["result", "wages_recovered", "workers", "replied_at"]

    return _step(
        actor=actor,
        ticket=ticket,
        name="reply",
        apply=apply,
        note=result,
        data={"wages_recovered": str(amount), "workers": n_workers},
        audit_note=_("办结反馈"),
    )


def ticket_callback(*, actor: Any, ticket: Ticket, satisfaction: str, note: str = "") -> Ticket:
    """回访: satisfied or basically satisfied → called back; dissatisfied → back to the
    handler to be handled again (a reopen)."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput.one(
            "satisfaction", _("取值应为：%(v)s") % {"v": "、".join(Satisfaction.values)}
        )
    name = "reopen" if satisfaction == Satisfaction.DISSATISFIED else "callback"

    def apply(t: Ticket) -> list[str]:
        t.satisfaction = satisfaction
        t.called_back_at = timezone.now()
        fields = ["satisfaction", "called_back_at"]
        if name == "reopen":
            t.reopen_count = F("reopen_count") + 1
            fields.append("reopen_count")
        return fields

    result = _step(
        actor=actor,
        ticket=ticket,
        name=name,
        apply=apply,
        note=note,
        data={"satisfaction": satisfaction},
    )
    result.refresh_from_db(fields=["reopen_count"])
    return result


def ticket_check(*, actor: Any, ticket: Ticket, passed: bool, note: str = "") -> Ticket:
    """质检: passed → checked; not passed → back to the handler (a reopen)."""
    name = "check" if passed else "check_fail"

    def apply(t: Ticket) -> list[str]:
        if name == "check_fail":
            t.reopen_count = F("reopen_count") + 1
            return ["reopen_count"]
        return []

    result = _step(
        actor=actor, ticket=ticket, name=name, apply=apply, note=note, data={"passed": passed}
    )
    result.refresh_from_db(fields=["reopen_count"])
    return result


def ticket_close(*, actor: Any, ticket: Ticket, note: str = "") -> Ticket:
    """结案: on time when closed on or before the due date."""

    def apply(t: Ticket) -> list[str]:
        return _close_fields(t, timezone.now())

    return _step(actor=actor, ticket=ticket, name="close", apply=apply, note=note)


def ticket_reassign(*, actor: Any, ticket: Ticket, org: Any, note: str = "") -> Ticket:
    """改派: the dispatcher (or the receiving org) moves the order to another org below it."""
    dispatcher_id = ticket.dispatcher_org_id or ticket.receiving_org_id
    sender_id = dispatcher_id if acts_for(actor, dispatcher_id) else ticket.receiving_org_id
    target = _dispatch_target(actor, ticket, org, sender_id=sender_id)

    def apply(t: Ticket) -> list[str]:
        sender = Org.objects.get(pk=sender_id)
        t.dispatcher_org = sender
        t.handler_org = target
        t.county_id = _county_of(target)
        _enter_path(t, target, sender, PathRole.HANDLER)
        return ["dispatcher_org", "handler_org", "county"]

    return _step(
        actor=actor,
        ticket=ticket,
        name="reassign",
        apply=apply,
        note=note,
        data={"org": target.code, "org_name": target.name},
    )


def _note_step(*, actor: Any, ticket: Ticket, name: str, note: str) -> Ticket:
    spec = NOTES[name]
    note = (note or "").strip()
    if not note:
        raise InvalidInput.one("note", _("请填写说明"))
    with transaction.atomic():
        _visible_or_404(actor, ticket)
        locked = _lock(ticket)
        if not can(actor, "hotline.handle"):
            raise Forbidden(_("当前角色不能办理热线工单"))
        if locked.status not in spec.states or actor.role not in spec.roles:
            raise Conflict(
                _("当前状态“%(state)s”下不能%(step)s")
                % {"state": locked.get_status_display(), "step": spec.label},
                allowed=[],
            )
        ok = (
            acts_for(actor, locked.holder_id)
            if spec.who == "holder"
            else is_above_holder(actor, locked)
        )
        if not ok:
            raise Forbidden(
                _("只有上级单位可以督办") if spec.who == "above" else _("只有承办单位可以记录进展")
            )
        before = audit.snapshot(locked, AUDITED)
        if name == "supervise":
            locked.supervised_count = F("supervised_count") + 1
            locked.save(update_fields=["supervised_count", "updated_at"])
            locked.refresh_from_db(fields=["supervised_count"])
            Notification.objects.create(
                org_id=locked.holder_id,
                ticket=locked,
                kind=NotificationKind.SUPERVISE,
                due_on=locked.due_on,
                message=(_("工单 %(no)s 被督办：%(note)s") % {"no": locked.number, "note": note})[
                    :300
                ],
            )
        _event(locked, actor=actor, action=name, note=note, internal=name == "progress")
        _audit(actor, locked, name, before, note[:200])
    return locked


def ticket_progress(*, actor: Any, ticket: Ticket, note: str) -> Ticket:
    """记录进展: the handler's note on the timeline (internal: not shown to the member)."""
    return _note_step(actor=actor, ticket=ticket, name="progress", note=note)


def ticket_supervise(*, actor: Any, ticket: Ticket, note: str) -> Ticket:
    """督办: an org above the holder on the order's path urges it on; the holder is notified."""
    return _note_step(actor=actor, ticket=ticket, name="supervise", note=note)


def ticket_rate(*, actor: Any, ticket: Ticket, rating: int, note: str = "") -> Ticket:
    """The member rates the service of their own order (1–5) once it has been replied to."""
    if getattr(actor, "role", "") != Role.MEMBER:
        raise Forbidden(_("只有会员本人可以评价"))
    if rating not in (1, 2, 3, 4, 5):
        raise InvalidInput.one("rating", _("评价应为 1 至 5 星"))
    with transaction.atomic():
        _visible_or_404(actor, ticket)
        locked = _lock(ticket)
        if locked.status not in (Status.REPLIED, Status.CALLED_BACK, Status.CHECKED, Status.CLOSED):
            raise Conflict(_("工单办结后才能评价"), allowed=[])
        before = {"rating": locked.rating}
        locked.rating = rating
        locked.save(update_fields=["rating", "updated_at"])
        _event(locked, actor=actor, action="rate", note=note, data={"rating": rating})
        audit.record(
            actor=actor,
            action="hotline.rate",
            object_type="ticket",
            object_id=locked.pk,
            object_org=locked.receiving_org,
            object_repr=str(locked),
            changes=audit.diff(before, {"rating": rating}),
        )
    return locked


@transaction.atomic
def ticket_reveal(*, actor: Any, ticket: Ticket, reason: str = "") -> dict[str, str]:
    """The caller's full name, phone and ID number, for the callback. Needs
    ``hotline.reveal`` over the receiving org; the audit row ``hotline.reveal`` names the
    fields, never their values."""
    _visible_or_404(actor, ticket)
    if not can(actor, "hotline.reveal", ticket.receiving_org):
        raise Forbidden(_("当前角色无权查看来电人完整信息"))
    audit.record(
        actor=actor,
        action="hotline.reveal",
        object_type="ticket",
        object_id=ticket.pk,
        object_org=ticket.receiving_org,
        object_repr=str(ticket),
        changes={
            "revealed": {
                "before": None,
                "after": ["caller_name", "caller_phone", "caller_id_number"],
            }
        },
        note=reason.strip()[:500],
    )
    return {
        "caller_name": ticket.caller_name,
        "caller_phone": ticket.caller_phone,
        "caller_id_number": ticket.caller_id_number,
    }


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on", "是", "同意", "通过"}
    return bool(value)


STEPS: dict[str, Callable[..., Ticket]] = {
    "dispatch": lambda a, t, d: ticket_dispatch(
        actor=a, ticket=t, org=d.get("org"), note=str(d.get("note") or "")
    ),
    "accept": lambda a, t, d: ticket_accept(actor=a, ticket=t, note=str(d.get("note") or "")),
    "return": lambda a, t, d: ticket_return(actor=a, ticket=t, reason=str(d.get("reason") or "")),
    "extend": lambda a, t, d: ticket_extend(
        actor=a, ticket=t, days=d.get("days"), reason=str(d.get("reason") or "")
    ),
    "approve_extension": lambda a, t, d: ticket_approve_extension(
        actor=a, ticket=t, approved=_bool(d.get("approved")), note=str(d.get("note") or "")
    ),
    "reply": lambda a, t, d: ticket_reply(
        actor=a,
        ticket=t,
        result=str(d.get("result") or ""),
        wages_recovered=d.get("wages_recovered"),
        workers=d.get("workers"),
    ),
    "callback": lambda a, t, d: ticket_callback(
        actor=a,
        ticket=t,
        satisfaction=str(d.get("satisfaction") or ""),
        note=str(d.get("note") or ""),
    ),
    "reopen": lambda a, t, d: ticket_callback(
        actor=a, ticket=t, satisfaction="dissatisfied", note=str(d.get("note") or "")
    ),
    "check": lambda a, t, d: ticket_check(
        actor=a, ticket=t, passed=_bool(d.get("passed", True)), note=str(d.get("note") or "")
    ),
    "check_fail": lambda a, t, d: ticket_check(
        actor=a, ticket=t, passed=False, note=str(d.get("note") or "")
    ),
    "close": lambda a, t, d: ticket_close(actor=a, ticket=t, note=str(d.get("note") or "")),
    "reassign": lambda a, t, d: ticket_reassign(
        actor=a, ticket=t, org=d.get("org"), note=str(d.get("note") or "")
    ),
    "supervise": lambda a, t, d: ticket_supervise(actor=a, ticket=t, note=str(d.get("note") or "")),
    "progress": lambda a, t, d: ticket_progress(actor=a, ticket=t, note=str(d.get("note") or "")),
}


def ticket_act(
    *, actor: Any, ticket: Ticket, action: str, data: dict[str, Any] | None = None
) -> Ticket:
    """One step by its name (the API's ``/tickets/{id}/<action>`` and the order page's forms).
    An unknown name is refused as an illegal step (409) naming the allowed ones."""
    name = ACTION_ALIASES.get(action, action).replace("-", "_")
    step = STEPS.get(name)
    if step is None:
        _visible_or_404(actor, ticket)
        WORKFLOW.check(ticket.status, name, getattr(actor, "role", None))
        raise NotFound()  # not reached: check raises for an unknown name
    return step(actor, ticket, dict(data or {}))


# --- the periodic tick ------------------------------------------------------------------


def tickets_tick(*, today: datetime.date | None = None) -> dict[str, int]:
    """Set yellow cards (due within one working day) and red cards (overdue) on open orders,
    clear cards that no longer apply (an extension was granted), and notify the holding org
    once per order, card and due date. Set-based; safe to run twice."""
    from gonghui.core.workdays import add_workdays

    today = today or timezone.localdate()
    soon = add_workdays(today, 1)
    open_qs = Ticket.objects.exclude(status=Status.CLOSED).filter(due_on__isnull=False)
    with transaction.atomic():
        red = open_qs.filter(due_on__lt=today).exclude(card=Card.RED).update(card=Card.RED)
        yellow = (
            open_qs.filter(due_on__gte=today, due_on__lte=soon)
            .exclude(card=Card.YELLOW)
            .update(card=Card.YELLOW)
        )
        cleared = open_qs.filter(due_on__gt=soon).exclude(card=Card.NONE).update(card=Card.NONE)
        notified = 0
        for kind, card in (
            (NotificationKind.RED, Card.RED),
            (NotificationKind.YELLOW, Card.YELLOW),
        ):
            rows = open_qs.filter(card=card).values_list(
                "id", "number", "due_on", "handler_org_id", "receiving_org_id"
            )
            have = set(
                Notification.objects.filter(
                    kind=kind, ticket__in=open_qs.filter(card=card)
                ).values_list("ticket_id", "org_id", "due_on")
            )
            new = []
            for pk, number, due_on, handler, receiving in rows:
                org_id = handler or receiving
                if (pk, org_id, due_on) in have:
                    continue
                message = (
                    _("工单 %(no)s 已超过办理期限(%(due)s)")
                    if kind == NotificationKind.RED
                    else _("工单 %(no)s 将于 %(due)s 到期")
                ) % {"no": number, "due": due_on}
                new.append(
                    Notification(
                        org_id=org_id, ticket_id=pk, kind=kind, due_on=due_on, message=message
                    )
                )
            Notification.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
            notified += len(new)
        if red or yellow or cleared or notified:
            audit.record(
                actor=None,
                action="hotline.tick",
                object_type="ticket",
                object_id="*",
                note=f"{today}: 红牌 {red}，黄牌 {yellow}，撤牌 {cleared}，通知 {notified}",
            )
    return {"red": red, "yellow": yellow, "cleared": cleared, "notified": notified}


def notifications_for(user: Any) -> Any:
    """The notices of the user's org (unread first)."""
    if not getattr(user, "is_authenticated", False) or user.org_id is None:
        return Notification.objects.none()
    return Notification.objects.filter(org_id=user.org_id).order_by(
        F("read_at").asc(nulls_first=True), "-created_at"
    )
