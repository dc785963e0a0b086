"""Every write of the office: documents (draft, approval chain, number, distribution,
receipts, reminders), incoming documents, notices, data calls (columns, targets, filling,
uploads checked row by row, passing down, consolidation, submission, reminders, the daily
tick), supervised tasks and meetings.

Each write checks the actor's role and scope, validates its input (errors name the field or
the row), and writes its rows and one audit row in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, deadlines, uploads
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.roles import can
from gonghui.orgs.models import Org

from . import workflow
from .models import (
    NUMBER_WORD,
    SECRET_ROLES,
    Attendee,
    Audience,
    Call,
    CallStatus,
    Card,
    ChainStep,
    Comment,
    DocCounter,
    DocStatus,
    DocType,
    Document,
    DocumentFile,
    Incoming,
    InStatus,
    Meeting,
    Notice,
    NoticeRead,
    Progress,
    Receipt,
    Security,
    Submission,
    SubmissionRow,
    SubStatus,
    Task,
    TaskStatus,
    Urgency,
)

# what an office attachment may be: documents, sheets and pictures; nothing executable
OFFICE_TYPES: dict[str, str] = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".gif": "gif",
    ".docx": "zip",
    ".xlsx": "zip",
    ".doc": "ole",
    ".xls": "ole",
    ".txt": "text",
}
RETAIN_DAYS = 3650  # documents are kept ten years
BODY_MAX = 50_000
COLUMN_TYPES = {"text": "文本", "int": "整数", "decimal": "数字", "date": "日期"}
MAX_COLUMNS = 40
MAX_ROWS = 5000


# --- input ----------------------------------------------------------------------------------


def _text(data: dict[str, Any], field: str, limit: int, *, required: bool = False) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise InvalidInput.one(field, _("请填写此项。"))
    if len(value) > limit:
        raise InvalidInput.one(field, _("内容过长（最多 %(n)d 字）。") % {"n": limit})
    if "\x00" in value:
        raise InvalidInput.one(field, _("不能包含空字符。"))
    return value


def _choice(data: dict[str, Any], field: str, choices: Any, default: str = "") -> str:
    value = str(data.get(field) or default)
    if value not in choices.values:
        raise InvalidInput.one(field, _("请从列表中选择。"))
    return value


def _date(data: dict[str, Any], field: str, *, required: bool = True) -> datetime.date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise InvalidInput.one(field, _("请填写日期。"))
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InvalidInput.one(field, _("日期格式应为 2020-09-19。")) from exc


def _int(data: dict[str, Any], field: str, low: int, high: int) -> int:
    try:
        number = int(str(data.get(field)).strip())
    except (TypeError, ValueError) as exc:
        raise InvalidInput.one(field, _("请填写整数。")) from exc
    if not low <= number <= high:
        raise InvalidInput.one(
            field, _("应在 %(low)d 至 %(high)d 之间。") % {"low": low, "high": high}
        )
    return number


def _record(actor: Any, action: str, kind: str, obj: Any, org: Any, **kw: Any) -> None:
    audit.record(
        actor=actor,
        action=f"office.{action}",
        object_type=f"office_{kind}",
        object_id=obj.pk,
        object_org=org,
        object_repr=str(getattr(obj, "title", "") or obj)[:200],
        **kw,
    )


def _below(actor: Any, org: Org) -> bool:
    home = getattr(actor, "org", None)
    return home is not None and org.path.startswith(home.path)


def store_file(*, actor: Any, org: Org, upload: Any) -> Any:
    """An office attachment through the upload guard: type from the first bytes agreeing
    with the extension, size, hash; nothing executable."""
    return uploads.store(
        actor=actor,
        org=org,
        upload=upload,
        purpose="office",
        retain_days=RETAIN_DAYS,
        allowed=OFFICE_TYPES,
    )


# --- documents ------------------------------------------------------------------------------


def document_create(*, actor: Any, data: dict[str, Any], org: Org | None = None) -> Document:
    org = org or actor.org
    if not can(actor, "office.draft", org):
        raise NotFound()
    title = _text(data, "title", 200, required=True)
    doc_type = _choice(data, "doc_type", DocType)
    urgency = _choice(data, "urgency", Urgency, Urgency.NORMAL)
    security = _choice(data, "security", Security, Security.PUBLIC)
    body = _text(data, "body", BODY_MAX)
    sign_by = _date(data, "sign_by", required=False)
    with transaction.atomic():
        doc = Document.objects.create(
            org=org,
            title=title,
            doc_type=doc_type,
            urgency=urgency,
            security=security,
            body=body,
            sign_by=sign_by,
            created_by=actor,
        )
        _record(actor, "document_create", "document", doc, org)
    return doc


def document_update(*, actor: Any, document: Document, data: dict[str, Any]) -> Document:
    """A draft (or one sent back) edited by its org's staff."""
    if not can(actor, "office.draft", document.org) or actor.org_id != document.org_id:
        raise NotFound()
    if document.status != DocStatus.DRAFT:
        raise Conflict(_("只有草稿可以修改。"))
    document.title = _text(data, "title", 200, required=True)
    document.urgency = _choice(data, "urgency", Urgency, document.urgency)
    document.security = _choice(data, "security", Security, document.security)
    document.body = _text(data, "body", BODY_MAX)
    with transaction.atomic():
        document.save(update_fields=["title", "urgency", "security", "body", "updated_at"])
        _record(actor, "document_update", "document", document, document.org)
    return document


def document_attach(*, actor: Any, document: Document, upload: Any) -> DocumentFile:
    if not can(actor, "office.draft", document.org) or actor.org_id != document.org_id:
        raise NotFound()
    if document.status == DocStatus.SENT:
        raise Conflict(_("公文已分发，不能再添加附件。"))
    stored = store_file(actor=actor, org=document.org, upload=upload)
    with transaction.atomic():
        link = DocumentFile.objects.create(document=document, file=stored)
        _record(actor, "document_attach", "document", document, document.org, note=stored.name)
    return link


def number_text(org: Org, doc_type: str, year: int, seq: int) -> str:
    """菏工发〔2020〕12号: the org's first character, 工, the type's word, year, sequence."""
    first = (org.short_name or org.name or "工")[0]
    return f"{first}工{NUMBER_WORD[DocType(doc_type)]}〔{year}〕{seq}号"


def _take_number(document: Document, day: datetime.date) -> None:
    """The next number of the sender's type and year, under the counter row's lock: two
    documents signed at the same moment wait for each other and get consecutive numbers."""
    year = day.year
    DocCounter.objects.bulk_create(
        [DocCounter(org_id=document.org_id, doc_type=document.doc_type, year=year)],
        ignore_conflicts=True,
    )
    counter = DocCounter.objects.select_for_update().get(
        org_id=document.org_id, doc_type=document.doc_type, year=year
    )
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    document.number_year = year
    document.number_seq = counter.last
    document.number = number_text(document.org, document.doc_type, year, counter.last)


def document_act(
    *, actor: Any, document: Document, action: str, data: dict[str, Any] | None = None
) -> Document:
    """One step of the type's chain (``submit``, ``pass<N>``, ``return``): only the sender
    org's own staff act; the last step issues the document with its number."""
    data = data or {}
    if not can(actor, "office.view", document.org) or actor.org_id != document.org_id:
        raise NotFound()
    if action == "distribute":
        raise Conflict(_("请使用分发功能选择收文单位。"))
    flow = workflow.for_type(document.doc_type)
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("org").get(pk=document.pk)
        before = workflow.current_state(document.status, document.step)
        step = flow.check(before, action, actor.role)
        if not can(actor, "office.approve" if action != "submit" else "office.draft"):
            raise Forbidden(_("当前角色不能办理此步骤。"))
        note = ""
        fields = ["status", "step", "updated_at"]
        if action == "return":
            note = _text(data, "reason", 500, required=True)
            document.status, document.step = DocStatus.DRAFT, 0
        elif step.target == DocStatus.ISSUED:
            today = timezone.localdate()
            _take_number(document, today)
            document.status, document.step, document.issued_on = DocStatus.ISSUED, 0, today
            fields += ["number", "number_year", "number_seq", "issued_on"]
        else:
            document.status = DocStatus.REVIEW
            document.step = int(step.target.removeprefix("step"))
        document.save(update_fields=fields)
        _record(
            actor,
            action if action in ("submit", "return") else "approve",
            "document",
            document,
            document.org,
            changes={
                "status": {"before": flow.states.get(before), "after": flow.states[step.target]}
            },
            note=note or step.label,
        )
    return document


def recipients_for(
    *, sender: Org, orgs: Iterable[Org] = (), kinds: Iterable[str] = (), subtree: bool = False
) -> list[Org]:
    """The orgs a document reaches: the chosen ones (with their subtrees where asked) and
    every org of the chosen levels, all below the sender; the sender never."""
    below = Org.objects.filter(path__startswith=sender.path, active=True).exclude(pk=sender.pk)
    query = Q(pk__in=[o.pk for o in orgs])
    if subtree:
        for org in orgs:
            query |= Q(path__startswith=org.path)
    kinds = list(kinds)
    if kinds:
        query |= Q(kind__in=kinds)
    return list(below.filter(query).order_by("path"))


def document_distribute(
    *,
    actor: Any,
    document: Document,
    orgs: Iterable[Org] = (),
    kinds: Iterable[str] = (),
    subtree: bool = False,
) -> int:
    """Send the issued document to its recipients: one receipt each. Orgs outside the
    sender's subtree are refused."""
    if not can(actor, "office.approve", document.org) or actor.org_id != document.org_id:
        raise NotFound()
    chosen = list(orgs)
    outside = [o for o in chosen if not o.path.startswith(document.org.path) or o == document.org]
    if outside:
        raise InvalidInput.one(
            "orgs", _("%(name)s 不在本单位下级，不能分发。") % {"name": outside[0].name}
        )
    targets = recipients_for(sender=document.org, orgs=chosen, kinds=kinds, subtree=subtree)
    if not targets:
        raise InvalidInput.one("orgs", _("请选择收文单位或层级。"))
    flow = workflow.for_type(document.doc_type)
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("org").get(pk=document.pk)
        flow.check(document.status, "distribute", actor.role)
        Receipt.objects.bulk_create(
            [Receipt(document=document, org=o) for o in targets], ignore_conflicts=True
        )
        document.status = DocStatus.SENT
        document.sent_on = timezone.localdate()
        document.save(update_fields=["status", "sent_on", "updated_at"])
        _record(
            actor,
            "distribute",
            "document",
            document,
            document.org,
            changes={"receipts": {"before": None, "after": len(targets)}},
        )
    return len(targets)


def receipt_sign(*, actor: Any, receipt: Receipt) -> Receipt:
    """The recipient org's staff sign for the document; it is registered as their incoming
    document (收文) at the same time."""
    document = receipt.document
    if (
        not can(actor, "office.sign")
        or actor.org_id != receipt.org_id
        or document.status != DocStatus.SENT
        or (document.security == Security.INTERNAL and actor.role not in SECRET_ROLES)
    ):
        raise NotFound()
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.signed_at is not None:
            raise Conflict(_("该公文已签收。"))
        receipt.signed_at = timezone.now()
        receipt.signed_by = actor
        receipt.save(update_fields=["signed_at", "signed_by", "updated_at"])
        Incoming.objects.create(
            org_id=receipt.org_id,
            title=document.title,
            source=document.org.name,
            their_number=document.number,
            received_on=timezone.localdate(),
            body=document.body[:2000],
            receipt=receipt,
            created_by=actor,
        )
        _record(actor, "sign", "document", document, receipt.org, note=document.number)
    return receipt


def receipts_remind(*, actor: Any, document: Document) -> int:
    """Remind every recipient that has not signed yet (listed on their home page)."""
    if not can(actor, "office.approve", document.org):
        raise NotFound()
    if document.status != DocStatus.SENT:
        raise Conflict(_("公文尚未分发。"))
    with transaction.atomic():
        count = document.receipts.unsigned().update(
            reminded_at=timezone.now(), reminders=F("reminders") + 1
        )
        _record(
            actor,
            "remind",
            "document",
            document,
            document.org,
            changes={"reminded": {"before": None, "after": count}},
        )
    return count


def chain_set(*, actor: Any, doc_type: str, labels: list[str]) -> list[ChainStep]:
    """Replace a document type's approval chain (no code): refused while any document of
    the type is on its way through the old one."""
    if not can(actor, "office.configure"):
        raise NotFound()
    if doc_type not in DocType.values:
        raise InvalidInput.one("doc_type", _("请从列表中选择。"))
    labels = [label.strip() for label in labels if label.strip()]
    if not labels:
        raise InvalidInput.one("steps", _("至少需要一个审批步骤。"))
    if len(labels) > 10 or any(len(label) > 30 for label in labels):
        raise InvalidInput.one("steps", _("最多 10 个步骤，每个步骤名称最多 30 字。"))
    busy = Document.objects.filter(doc_type=doc_type, status=DocStatus.REVIEW).count()
    if busy:
        raise Conflict(
            _("有 %(n)d 份该种类的公文正在审批，请办结或退回后再修改审批流程。") % {"n": busy}
        )
    with transaction.atomic():
        before = [s.label for s in ChainStep.objects.filter(doc_type=doc_type)]
        ChainStep.objects.filter(doc_type=doc_type).delete()
        steps = ChainStep.objects.bulk_create(
            [
                ChainStep(doc_type=doc_type, position=i, label=label)
                for i, label in enumerate(labels, start=1)
            ]
        )
        audit.record(
            actor=actor,
            action="office.chain_set",
            object_type="office_chain",
            object_id=doc_type,
            object_org=actor.org,
            object_repr=str(DocType(doc_type).label),
            changes={"steps": {"before": "、".join(before), "after": "、".join(labels)}},
        )
    return steps


# --- incoming -------------------------------------------------------------------------------


def incoming_register(*, actor: Any, data: dict[str, Any]) -> Incoming:
    if not can(actor, "office.draft"):
        raise NotFound()
    received_on = _date(data, "received_on", required=False) or timezone.localdate()
    with transaction.atomic():
        item = Incoming.objects.create(
            org=actor.org,
            title=_text(data, "title", 200, required=True),
            source=_text(data, "source", 100, required=True),
            their_number=_text(data, "their_number", 40),
            received_on=received_on,
            body=_text(data, "body", BODY_MAX),
            created_by=actor,
        )
        _record(actor, "incoming_register", "incoming", item, item.org)
    return item


def incoming_act(*, actor: Any, item: Incoming, action: str, text: str = "") -> Incoming:
    """拟办, 批办, 传阅 (each with its comment) and 归档, by the receiving org's staff."""
    if not can(actor, "office.view", item.org) or actor.org_id != item.org_id:
        raise NotFound()
    with transaction.atomic():
        item = Incoming.objects.select_for_update().get(pk=item.pk)
        step = workflow.INCOMING.check(item.status, action, actor.role)
        comment = _text({"text": text}, "text", 2000, required="text" in step.needs)
        before = item.status
        item.status = step.target
        item.save(update_fields=["status", "updated_at"])
        if comment:
            Comment.objects.create(incoming=item, step=action, text=comment, by=actor)
        _record(
            actor,
            f"incoming_{action}",
            "incoming",
            item,
            item.org,
            changes={
                "status": {
                    "before": str(InStatus(before).label),
                    "after": str(InStatus(item.status).label),
                }
            },
        )
    return item


# --- notices --------------------------------------------------------------------------------


def notice_publish(*, actor: Any, data: dict[str, Any]) -> Notice:
    if not can(actor, "office.manage"):
        raise NotFound()
    with transaction.atomic():
        notice = Notice.objects.create(
            org=actor.org,
            title=_text(data, "title", 200, required=True),
            body=_text(data, "body", BODY_MAX, required=True),
            audience=_choice(data, "audience", Audience, Audience.TREE),
            published_on=timezone.localdate(),
            created_by=actor,
        )
        _record(actor, "notice_publish", "notice", notice, notice.org)
    return notice


def notice_read(*, user: Any, notice: Notice) -> bool:
    """Count one read per person (no audit row: reading is not a change)."""
    _obj, created = NoticeRead.objects.get_or_create(notice=notice, user=user)
    return created


# --- data calls -----------------------------------------------------------------------------


def parse_columns(spec: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Columns from the page's lines ``名称|类型|必填|指标`` (类型: 文本/整数/数字/日期) or
    from a list of dicts (the API). Each column: key, label, type, required, metric."""
    from gonghui.core.metrics import all_metrics

    known = {m.key for m in all_metrics()}
    by_label = {v: k for k, v in COLUMN_TYPES.items()}
    raw: list[dict[str, Any]] = []
    if isinstance(spec, str):
        for line in spec.splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            parts += [""] * (4 - len(parts))
            raw.append(
                {
                    "label": parts[0],
                    "type": by_label.get(parts[1], parts[1] or "text"),
                    "required": parts[2] in ("必填", "是", "1", "true"),
                    "metric": parts[3],
                }
            )
    else:
        raw = [dict(c) for c in spec]
    if not raw:
        raise InvalidInput.one("columns", _("请至少填写一列。"))
    if len(raw) > MAX_COLUMNS:
        raise InvalidInput.one("columns", _("最多 %(n)d 列。") % {"n": MAX_COLUMNS})
    columns: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, col in enumerate(raw, start=1):
        label = str(col.get("label") or "").strip()
        kind = str(col.get("type") or "text")
        metric = str(col.get("metric") or "").strip()
        where = _("第 %(n)d 列") % {"n": i}
        if not label or len(label) > 40:
            raise InvalidInput.one(
                "columns", _("%(where)s：请填写列名（最多 40 字）。") % {"where": where}
            )
        if label in seen:
            raise InvalidInput.one(
                "columns", _("%(where)s：列名“%(label)s”重复。") % {"where": where, "label": label}
            )
        if kind not in COLUMN_TYPES:
            raise InvalidInput.one(
                "columns",
                _("%(where)s：类型应为 文本、整数、数字 或 日期。") % {"where": where},
            )
        if metric and metric not in known:
            raise InvalidInput.one(
                "columns",
                _("%(where)s：没有名为 %(key)s 的统计指标。") % {"where": where, "key": metric},
            )
        seen.add(label)
        columns.append(
            {
                "key": f"c{i}",
                "label": label,
                "type": kind,
                "required": bool(col.get("required")),
                "metric": metric,
            }
        )
    return columns


def columns_from_template(upload: Any) -> list[dict[str, Any]]:
    """The columns of a call from the city's own template: the first row names the columns
    (a ``*`` or ``（必填）`` marks a required one), an optional second row gives each type
    (文本、整数、数字、日期; empty means 文本). Through the upload guard; nothing is kept."""
    from gonghui.core.spreadsheets import UnusableFile, cell_text, iter_raw_rows, save_upload

    received = save_upload(upload, prefix="office-template-")
    try:
        rows = iter_raw_rows(received.path)
        header = [cell_text(c).strip() for c in next(rows, [])]
        kinds = [cell_text(c).strip() for c in next(rows, [])]
    except UnusableFile as exc:
        raise InvalidInput.one("template", str(exc)) from exc
    finally:
        uploads.remove(received.path)
    by_label = {v: k for k, v in COLUMN_TYPES.items()}
    if kinds and not all(k in by_label or not k for k in kinds):
        kinds = []  # the second row is an example row, not the types
    spec = []
    for i, text in enumerate(header):
        if not text:
            continue
        required = text.startswith(("*", "＊")) or "必填" in text
        label = text.lstrip("*＊").replace("（必填）", "").replace("(必填)", "").strip()
        kind = by_label.get(kinds[i], "text") if i < len(kinds) and kinds[i] else "text"
        spec.append({"label": label, "type": kind, "required": required})
    if not spec:
        raise InvalidInput.one("template", _("模板的第一行应为列名。"))
    try:
        return parse_columns(spec)
    except InvalidInput as exc:
        raise InvalidInput.one("template", exc.errors[0]["message"]) from exc


def _targets(actor: Any, orgs: Iterable[Org], kinds: Iterable[str]) -> list[Org]:
    chosen = list(orgs)
    for org in chosen:
        if not _below(actor, org) or org.pk == actor.org_id:
            raise InvalidInput.one("orgs", _("%(name)s 不在本单位下级。") % {"name": org.name})
    return recipients_for(sender=actor.org, orgs=chosen, kinds=kinds)


def call_create(
    *,
    actor: Any,
    data: dict[str, Any],
    orgs: Iterable[Org] = (),
    kinds: Iterable[str] = (),
) -> Call:
    """A data call to the chosen orgs (or whole levels) below the actor's org."""
    if not can(actor, "office.manage"):
        raise NotFound()
    title = _text(data, "title", 200, required=True)
    if data.get("template") is not None:
        columns = columns_from_template(data["template"])
    else:
        columns = parse_columns(data.get("columns") or "")
    deadline = _date(data, "deadline")
    assert deadline is not None
    if deadline < timezone.localdate() and not data.get("_backdated"):
        raise InvalidInput.one("deadline", _("截止日期不能早于今天。"))
    start = _date(data, "period_start", required=False)
    end = _date(data, "period_end", required=False)
    if any(c["metric"] for c in columns) and not (start and end):
        raise InvalidInput.one("period_start", _("绑定统计指标的列需要填写统计期。"))
    if start and end and end < start:
        raise InvalidInput.one("period_end", _("统计期止不能早于统计期起。"))
    targets = _targets(actor, orgs, kinds)
    if not targets:
        raise InvalidInput.one("orgs", _("请选择报送单位或层级。"))
    with transaction.atomic():
        call = Call.objects.create(
            org=actor.org,
            title=title,
            instructions=_text(data, "instructions", BODY_MAX),
            columns=columns,
            deadline=deadline,
            period_start=start,
            period_end=end,
            created_by=actor,
        )
        Submission.objects.bulk_create([Submission(call=call, org=o) for o in targets])
        _record(
            actor,
            "call_create",
            "call",
            call,
            call.org,
            changes={"targets": {"before": None, "after": len(targets)}},
        )
    return call


def _may_fill(actor: Any, submission: Submission) -> None:
    if not can(actor, "office.fill") or actor.org_id != submission.org_id:
        raise NotFound()
    if submission.call.status != CallStatus.OPEN:
        raise Conflict(_("该报送已截止。"))


def call_pass_down(
    *,
    actor: Any,
    submission: Submission,
    orgs: Iterable[Org] = (),
    kinds: Iterable[str] = (),
    deadline: datetime.date | None = None,
) -> Call:
    """A target passes the call on to orgs below it (same columns), to consolidate their
    answers into its own."""
    _may_fill(actor, submission)
    if not can(actor, "office.manage"):
        raise NotFound()
    parent = submission.call
    deadline = deadline or parent.deadline
    if deadline > parent.deadline:
        raise InvalidInput.one("deadline", _("下发的截止日期不能晚于上级的截止日期。"))
    targets = _targets(actor, orgs, kinds)
    if not targets:
        raise InvalidInput.one("orgs", _("请选择报送单位或层级。"))
    with transaction.atomic():
        call = Call.objects.create(
            org=actor.org,
            parent=parent,
            title=parent.title,
            instructions=parent.instructions,
            columns=parent.columns,
            deadline=deadline,
            period_start=parent.period_start,
            period_end=parent.period_end,
            created_by=actor,
        )
        Submission.objects.bulk_create([Submission(call=call, org=o) for o in targets])
        _record(
            actor,
            "call_pass_down",
            "call",
            call,
            call.org,
            changes={"targets": {"before": None, "after": len(targets)}},
        )
    return call


def _cell(column: dict[str, Any], value: Any) -> tuple[Any, str]:
    """(value as stored, error in words or "")."""
    from gonghui.core.spreadsheets import cell_text

    text = cell_text(value).strip() if not isinstance(value, str) else value.strip()
    label = column["label"]
    if not text:
        return None, (_("“%(label)s”必填") % {"label": label}) if column["required"] else ""
    kind = column["type"]
    if kind == "int":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None, _("“%(label)s”应为整数：%(value)s") % {"label": label, "value": text[:20]}
        if not number.is_finite() or number != number.to_integral_value() or abs(number) > 10**12:
            return None, _("“%(label)s”应为整数：%(value)s") % {"label": label, "value": text[:20]}
        return int(number), ""
    if kind == "decimal":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None, _("“%(label)s”应为数字：%(value)s") % {"label": label, "value": text[:20]}
        if not number.is_finite() or abs(number) > 10**12:
            return None, _("“%(label)s”应为数字：%(value)s") % {"label": label, "value": text[:20]}
        return str(number.quantize(Decimal("0.01"))), ""
    if kind == "date":
        try:
            return datetime.date.fromisoformat(text[:10]).isoformat(), ""
        except ValueError:
            return None, _("“%(label)s”应为日期（2020-09-19）：%(value)s") % {
                "label": label,
                "value": text[:20],
            }
    if len(text) > 500:
        return None, _("“%(label)s”过长（最多 500 字）") % {"label": label}
    return text, ""


def check_rows(
    columns: list[dict[str, Any]], rows: Iterable[tuple[int, dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Each row against the columns: (clean rows, errors naming the row and the column)."""
    clean: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for number, raw in rows:
        row: dict[str, Any] = {}
        problems: list[str] = []
        for col in columns:
            value, problem = _cell(col, raw.get(col["key"]))
            if problem:
                problems.append(problem)
            row[col["key"]] = value
        if problems:
            errors.append(
                {
                    "field": f"row-{number}",
                    "message": _("第 %(n)d 行：%(why)s")
                    % {"n": number, "why": "；".join(problems)},
                }
            )
        clean.append(row)
        if len(clean) > MAX_ROWS:
            raise InvalidInput.one("file", _("最多 %(n)d 行。") % {"n": MAX_ROWS})
    return clean, errors


def _save_rows(actor: Any, submission: Submission, rows: list[dict[str, Any]], how: str) -> int:
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.status == SubStatus.SUBMITTED:
            raise Conflict(_("已报送，不能再修改。"))
        submission.rows.filter(source_id=submission.org_id).delete()
        SubmissionRow.objects.bulk_create(
            [
                SubmissionRow(submission=submission, source_id=submission.org_id, number=i, data=r)
                for i, r in enumerate(rows, start=1)
            ]
        )
        submission.save(update_fields=["updated_at"])
        _record(
            actor,
            how,
            "submission",
            submission,
            submission.org,
            changes={"rows": {"before": None, "after": len(rows)}},
        )
    return len(rows)


def submission_fill(*, actor: Any, submission: Submission, rows: list[dict[str, Any]]) -> int:
    """The rows typed on the page (or sent by the API), all checked before any is kept."""
    _may_fill(actor, submission)
    columns = submission.call.columns
    keyed = [
        (i, {c["key"]: r.get(c["key"], r.get(c["label"])) for c in columns})
        for i, r in enumerate(rows, start=1)
    ]
    clean, errors = check_rows(columns, keyed)
    if errors:
        raise InvalidInput(errors)
    if not clean:
        raise InvalidInput.one("rows", _("请至少填写一行。"))
    return _save_rows(actor, submission, clean, "submission_fill")


def submission_upload(*, actor: Any, submission: Submission, upload: Any) -> int:
    """The filled template uploaded: through the upload guard, the header matched to the
    columns, every row checked; one bad row refuses the file with every row's reason."""
    from gonghui.core.spreadsheets import UnusableFile, open_sheet, save_upload

    _may_fill(actor, submission)
    columns = submission.call.columns
    received = save_upload(upload, prefix="office-")
    try:
        if received.kind == "zip":
            uploads.check_archive(received.path)
        try:
            sheet = open_sheet(
                received.path,
                aliases={c["key"]: [c["label"]] for c in columns},
                required=[c["key"] for c in columns if c["required"]],
                file_name=received.name,
            )
        except UnusableFile as exc:
            raise InvalidInput.one("file", str(exc)) from exc
        rows = (
            (number, {k: cells[i] if i < len(cells) else None for k, i in sheet.columns.items()})
            for number, cells in sheet.rows
        )
        clean, errors = check_rows(columns, rows)
    finally:
        uploads.remove(received.path)
    if errors:
        raise InvalidInput(
            errors, detail=_("有 %(n)d 行未通过检查，文件未导入。") % {"n": len(errors)}
        )
    if not clean:
        raise InvalidInput.one("file", _("文件中没有数据行。"))
    return _save_rows(actor, submission, clean, "submission_upload")


def submission_consolidate(*, actor: Any, submission: Submission) -> int:
    """A county gathers the submitted answers of the calls it passed down into its own
    submission, each row keeping the org it came from."""
    _may_fill(actor, submission)
    children = Submission.objects.filter(
        call__parent=submission.call, call__org_id=submission.org_id, status=SubStatus.SUBMITTED
    )
    rows = list(
        SubmissionRow.objects.filter(submission__in=children).order_by(
            "source__path", "submission_id", "number"
        )
    )
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status == SubStatus.SUBMITTED:
            raise Conflict(_("已报送，不能再修改。"))
        locked.rows.exclude(source_id=locked.org_id).delete()
        start = locked.rows.count()
        SubmissionRow.objects.bulk_create(
            [
                SubmissionRow(
                    submission=locked, source_id=r.source_id, number=start + i, data=r.data
                )
                for i, r in enumerate(rows, start=1)
            ]
        )
        _record(
            actor,
            "consolidate",
            "submission",
            locked,
            locked.org,
            changes={"rows": {"before": None, "after": len(rows)}},
        )
    return len(rows)


def submission_submit(*, actor: Any, submission: Submission) -> Submission:
    _may_fill(actor, submission)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().select_related("call").get(pk=submission.pk)
        if locked.status == SubStatus.SUBMITTED:
            raise Conflict(_("已报送。"))
        if not locked.rows.exists():
            raise InvalidInput.one("rows", _("请先填写或上传数据再报送。"))
        now = timezone.now()
        locked.status = SubStatus.SUBMITTED
        locked.submitted_at = now
        locked.submitted_by = actor
        locked.late = timezone.localdate(now) > locked.call.deadline
        locked.save(update_fields=["status", "submitted_at", "submitted_by", "late", "updated_at"])
        _record(actor, "submit_data", "submission", locked, locked.org, note=locked.call.title)
    return locked


def submission_return(*, actor: Any, submission: Submission, reason: str) -> Submission:
    """The calling org sends a submission back to be corrected."""
    if not can(actor, "office.manage", submission.call.org):
        raise NotFound()
    reason = _text({"reason": reason}, "reason", 500, required=True)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != SubStatus.SUBMITTED:
            raise Conflict(_("尚未报送。"))
        locked.status = SubStatus.PENDING
        locked.submitted_at = None
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        _record(actor, "submission_return", "submission", locked, locked.org, note=reason)
    return locked


def submissions_remind(*, actor: Any, call: Call) -> int:
    if not can(actor, "office.manage", call.org):
        raise NotFound()
    with transaction.atomic():
        count = call.submissions.filter(status=SubStatus.PENDING).update(
            reminded_at=timezone.now(), reminders=F("reminders") + 1
        )
        _record(
            actor,
            "call_remind",
            "call",
            call,
            call.org,
            changes={"reminded": {"before": None, "after": count}},
        )
    return count


def call_close(*, actor: Any, call: Call) -> Call:
    if not can(actor, "office.manage", call.org):
        raise NotFound()
    with transaction.atomic():
        call.status = CallStatus.CLOSED
        call.save(update_fields=["status", "updated_at"])
        _record(actor, "call_close", "call", call, call.org)
    return call


# --- tasks ----------------------------------------------------------------------------------


def task_create(*, actor: Any, owner: Org, data: dict[str, Any]) -> Task:
    """A task for ``owner`` (the actor's org or below), due ``workdays`` working days after
    the day it is assigned."""
    if not can(actor, "office.manage") or not _below(actor, owner):
        raise NotFound()
    workdays = _int(data, "workdays", 1, 250)
    assigned_on = _date(data, "assigned_on", required=False) or timezone.localdate()
    due = deadlines.due_on(assigned_on, workdays)
    with transaction.atomic():
        task = Task.objects.create(
            org=actor.org,
            owner=owner,
            title=_text(data, "title", 200, required=True),
            detail=_text(data, "detail", BODY_MAX),
            assigned_on=assigned_on,
            workdays=workdays,
            due_on=due,
            card=deadlines.card_for(due, timezone.localdate()),
            created_by=actor,
        )
        _record(actor, "task_create", "task", task, owner)
    return task


def _owner_staff(actor: Any, task: Task) -> None:
    if not can(actor, "office.fill", task.owner) or actor.org_id != task.owner_id:
        raise NotFound()
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("该督办事项已办结。"))


def task_report(*, actor: Any, task: Task, text: str, percent: int) -> Progress:
    _owner_staff(actor, task)
    data = {"text": text, "percent": percent}
    with transaction.atomic():
        report = Progress.objects.create(
            task=task,
            text=_text(data, "text", 2000, required=True),
            percent=_int(data, "percent", 0, 100),
            by=actor,
        )
        _record(actor, "task_report", "task", task, task.owner, note=f"{report.percent}%")
    return report


def task_close(*, actor: Any, task: Task, outcome: str, evidence: Any) -> Task:
    """The owner closes the task with what was done and the evidence (a file)."""
    _owner_staff(actor, task)
    outcome = _text({"outcome": outcome}, "outcome", 2000, required=True)
    if evidence is None:
        raise InvalidInput.one("evidence", _("请上传办结佐证材料。"))
    stored = store_file(actor=actor, org=task.owner, upload=evidence)
    with transaction.atomic():
        task.status = TaskStatus.CLOSED
        task.closed_on = timezone.localdate()
        task.outcome = outcome
        task.evidence = stored
        task.card = Card.NONE
        task.save(
            update_fields=["status", "closed_on", "outcome", "evidence", "card", "updated_at"]
        )
        _record(actor, "task_close", "task", task, task.owner)
    return task


# --- the daily tick -------------------------------------------------------------------------


def tick(today: datetime.date | None = None) -> dict[str, int]:
    """Flag the submissions still missing past their deadline as late, and refresh the cards
    of open tasks. Safe to run twice."""
    today = today or timezone.localdate()
    late = Submission.objects.filter(
        status=SubStatus.PENDING, late=False, call__deadline__lt=today
    ).update(late=True)
    changed = 0
    for task in Task.objects.filter(status=TaskStatus.OPEN).only("id", "due_on", "card"):
        card = deadlines.card_for(task.due_on, today)
        if card != task.card:
            Task.objects.filter(pk=task.pk).update(card=card)
            changed += 1
    return {"late": late, "cards": changed}


# --- meetings -------------------------------------------------------------------------------


def meeting_create(
    *,
    actor: Any,
    data: dict[str, Any],
    orgs: Iterable[Org] = (),
    users: Iterable[Any] = (),
) -> Meeting:
    if not can(actor, "office.manage"):
        raise NotFound()
    starts_at = data.get("starts_at")
    if isinstance(starts_at, str):
        try:
            starts_at = datetime.datetime.fromisoformat(starts_at)
        except ValueError as exc:
            raise InvalidInput.one("starts_at", _("时间格式应为 2020-09-19 09:00。")) from exc
    if not isinstance(starts_at, datetime.datetime):
        raise InvalidInput.one("starts_at", _("请填写开始时间。"))
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    orgs, users = list(orgs), list(users)
    for org in orgs:
        if not _below(actor, org):
            raise InvalidInput.one("orgs", _("%(name)s 不在本单位范围内。") % {"name": org.name})
    for user in users:
        if user.org is None or not _below(actor, user.org):
            raise InvalidInput.one("users", _("参会人不在本单位范围内。"))
    if not orgs and not users:
        raise InvalidInput.one("orgs", _("请选择参会单位或人员。"))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            org=actor.org,
            title=_text(data, "title", 200, required=True),
            starts_at=starts_at,
            place=_text(data, "place", 150),
            agenda=_text(data, "agenda", BODY_MAX),
            created_by=actor,
        )
        Attendee.objects.bulk_create(
            [Attendee(meeting=meeting, org=o) for o in orgs]
            + [Attendee(meeting=meeting, user=u, org=u.org) for u in users]
        )
        _record(actor, "meeting_create", "meeting", meeting, meeting.org)
    return meeting


def _invitation(actor: Any, meeting: Meeting) -> Attendee:
    """The actor's own row: invited by name, or signing up under an invited org."""
    own = meeting.attendees.filter(user=actor).first()
    if own is not None:
        return own
    if not meeting.attendees.filter(org_id=actor.org_id, user__isnull=True).exists():
        raise NotFound()
    return Attendee.objects.create(meeting=meeting, org_id=actor.org_id, user=actor)


def meeting_signup(*, actor: Any, meeting: Meeting) -> Attendee:
    if not can(actor, "office.view"):
        raise NotFound()
    with transaction.atomic():
        row = _invitation(actor, meeting)
        if row.signed_up_at is not None:
            raise Conflict(_("已报名。"))
        row.signed_up_at = timezone.now()
        row.save(update_fields=["signed_up_at"])
        _record(actor, "meeting_signup", "meeting", meeting, meeting.org)
    return row


def meeting_checkin(*, actor: Any, token: str) -> Attendee:
    """Check-in from the QR code at the door: only someone invited (by name or by org)."""
    meeting = Meeting.objects.filter(checkin_token=str(token)[:40]).first()
    if meeting is None or not can(actor, "office.view"):
        raise NotFound()
    with transaction.atomic():
        row = _invitation(actor, meeting)
        if row.checked_in_at is not None:
            return row
        row.checked_in_at = timezone.now()
        row.signed_up_at = row.signed_up_at or row.checked_in_at
        row.save(update_fields=["checked_in_at", "signed_up_at"])
        _record(actor, "meeting_checkin", "meeting", meeting, meeting.org)
    return row


def meeting_minutes(*, actor: Any, meeting: Meeting, upload: Any) -> Meeting:
    if not can(actor, "office.manage", meeting.org) or actor.org_id != meeting.org_id:
        raise NotFound()
    stored = store_file(actor=actor, org=meeting.org, upload=upload)
    with transaction.atomic():
        meeting.minutes = stored
        meeting.save(update_fields=["minutes", "updated_at"])
        _record(actor, "meeting_minutes", "meeting", meeting, meeting.org, note=stored.name)
    return meeting
