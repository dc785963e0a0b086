"""Every write of the payment machinery: one transaction each, with its audit row.

Other modules code against these names (``create_batch``, ``add_line`` — or ``add_lines``
for many payees at once, set-based with one audit row — ``submit``,
``approve``, ``export_bank_file``, ``import_confirmations``, ``reverse``, ``reissue``).
Refusals: ``InvalidInput`` naming the field, ``Conflict`` (409) for a step the batch's state
does not allow, ``Forbidden`` for a role without the right, ``NotFound`` for a batch outside
the user's subtree (the same as a missing one).

Steps that a double click or a retried request may repeat are harmless: approving an
approved batch or exporting an exported one changes nothing (an export is still audited,
since it shows whole account numbers).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, crypto, spreadsheets, uploads
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.fields import Indexes, every_index
from gonghui.core.identifiers import normalise, parse_citizen_id
from gonghui.core.roles import in_subtree, role_can

from .models import (
    FROZEN_STATUSES,
    LIVE_STATUSES,
    Batch,
    BatchStatus,
    Line,
    LineKind,
    LineStatus,
    Source,
)
from .workflow import WORKFLOW

AMOUNT_MAX = Decimal("9999999999.99")
# What a source module does when the bank confirms lines of one of its batches (funds marks
# its refunds paid): ``fn(batch, by)``, run in the confirmation's transaction. Registered by
# the source module (payments imports no module above it).
SETTLED: dict[str, Callable[[Batch, Any], Any]] = {}
CENT = Decimal("0.01")
BANK_HEADER = ["序号", "户名", "账号", "开户行", "金额", "用途", "业务编号"]
BATCH_AUDITED = ("status", "title", "purpose")


# --- helpers ---------------------------------------------------------------------------------


def _check(by: Any, perm: str, org: Any) -> None:
    """The right ``perm`` in ``org``'s subtree: a role without it is refused (403), an org
    outside the user's subtree answers as if it did not exist."""
    if not getattr(by, "is_authenticated", False) or not by.is_active:
        raise Forbidden(_("需要登录"))
    if not role_can(by.role, perm):
        raise Forbidden(_("当前角色无权办理代发支付"))
    if not in_subtree(by, org):
        raise NotFound()


def _lock(batch: Batch) -> Batch:
    return Batch.objects.select_for_update().get(pk=batch.pk)


def _text(value: Any, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput.one(field, _("请填写%(label)s") % {"label": label})
    if len(text) > max_length:
        raise InvalidInput.one(
            field, _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length}
        )
    if "\x00" in text:
        raise InvalidInput.one(field, _("不能包含空字符（NUL）"))
    return text


def parse_amount(value: Any, field: str = "amount") -> Decimal:
    """Yuan to the fen, more than zero: ``Decimal``, never float (a float is read through its
    shortest text, so 0.1 stays 0.1)."""
    text = str(value).strip().replace(",", "").replace("，", "") if value is not None else ""
    try:
        amount = Decimal(unicodedata.normalize("NFKC", text))
    except (InvalidOperation, ValueError):
        raise InvalidInput.one(field, _("金额应为数字，如 1200.00")) from None
    if not amount.is_finite():
        raise InvalidInput.one(field, _("金额应为数字，如 1200.00"))
    if amount <= 0:
        raise InvalidInput.one(field, _("金额应大于零"))
    if amount != amount.quantize(CENT):
        raise InvalidInput.one(field, _("金额最多到分（两位小数）"))
    if amount > AMOUNT_MAX:
        raise InvalidInput.one(field, _("金额过大"))
    return amount.quantize(CENT)


def normalise_account(value: Any) -> str:
    """A bank account as digits only: full-width digits, spaces and dashes removed."""
    return "".join(ch for ch in normalise(value) if ch.isdigit() or ch.isalpha())


def _account(value: Any) -> str:
    account = normalise_account(value)
    if account and (not account.isdigit() or not 8 <= len(account) <= 32):
        raise InvalidInput.one("bank_account", _("银行账号应为 8 到 32 位数字"))
    return account


def _id_number(value: Any) -> str:
    if not str(value or "").strip():
        return ""
    try:
        return parse_citizen_id(value).number
    except ValidationError as exc:
        raise InvalidInput.one("id_number", exc.messages[0]) from None


def payee_key(*, id_number: str, member: Any, payee_name: str, bank_account: str) -> str:
    """Who is paid, as a keyed hash: the ID number when known (the member's own when a
    member is named), else the member, else name and account. Never the plain values."""
    number = id_number or (getattr(member, "id_number", "") if member is not None else "")
    if number:
        plain = f"id:{number}"
    elif member is not None:
        plain = f"member:{member.pk}"
    else:
        plain = f"name:{payee_name}|account:{bank_account}"
    # under every key held: while a key rotation runs, a line not yet moved still matches
    return Indexes(crypto.blind_index_all(plain, purpose="payee"))


def _live_duplicate(source: str, reference: str, key: str) -> Line | None:
    return (
        Line.objects.filter(source=source, reference=reference, payee_key__in=every_index([key]))
        .filter(status__in=LIVE_STATUSES)
        .exclude(kind=LineKind.REVERSAL)
        .select_related("batch")
        .order_by("id")
        .first()
    )


def _batch_total(batch: Batch) -> Decimal:
    total = batch.lines.exclude(kind=LineKind.REVERSAL).aggregate(s=Sum("amount")).get("s")
    return total or Decimal("0.00")


def _record_batch(
    by: Any, batch: Batch, action: str, before: dict[str, Any], note: str = "", **extra: Any
) -> None:
    changes = audit.diff(before, audit.snapshot(batch, BATCH_AUDITED))
    changes.update({k: {"before": None, "after": v} for k, v in extra.items()})
    audit.record(
        actor=by,
        action=action,
        object_type="payment_batch",
        object_id=batch.pk,
        object_org=batch.org,
        object_repr=str(batch),
        changes=changes,
        note=note,
    )


def _advance(batch: Batch, step: str, by: Any, **fields: Any) -> bool:
    """Move ``batch`` by ``step`` if it is still in a state the step starts from: one
    conditional UPDATE, so of two people taking the same step at once exactly one moves it.
    False when the batch had already moved (the caller decides whether that is harmless)."""
    transition = WORKFLOW.get(step)
    moved = Batch.objects.filter(pk=batch.pk, status__in=transition.source).update(
        status=transition.target, updated_at=timezone.now(), **fields
    )
    if moved:
        batch.status = transition.target
        for name, value in fields.items():
            setattr(batch, name, value)
    return bool(moved)


# --- batches ---------------------------------------------------------------------------------


def create_batch(*, org: Any, source: str, purpose: str, title: str, by: Any) -> Batch:
    _check(by, "payments.make", org)
    if source not in Source.values:
        raise InvalidInput.one("source", _("未知的来源业务"))
    purpose = _text(purpose, "purpose", _("用途"), 60)
    title = _text(title, "title", _("批次名称"), 150)
    with transaction.atomic():
        batch = Batch.objects.create(
            org=org, source=source, purpose=purpose, title=title, created_by=by
        )
        _record_batch(by, batch, "payments.batch_create", {})
    return batch


def add_line(
    batch: Batch,
    *,
    reference: str,
    amount: Decimal,
    payee_name: str,
    id_number: str = "",
    bank_name: str = "",
    bank_account: str = "",
    member: Any = None,
    by: Any,
    override_reason: str = "",
) -> Line:
    """One payee of a draft batch. A second live line of the same source record and payee
    is refused (field ``reference``) unless ``override_reason`` says why it is right."""
    _check(by, "payments.make", batch.org)
    reference = _text(reference, "reference", _("业务编号"), 100)
    amount = parse_amount(amount)
    payee_name = _text(payee_name, "payee_name", _("户名"), 100)
    number = _id_number(id_number)
    bank_name = _text(bank_name, "bank_name", _("开户行"), 100, required=False)
    account = _account(bank_account)
    override_reason = _text(override_reason, "override_reason", _("理由"), 200, required=False)
    key = payee_key(id_number=number, member=member, payee_name=payee_name, bank_account=account)
    with transaction.atomic():
        locked = _lock(batch)
        WORKFLOW.check(locked.status, "submit")  # lines are added to a draft only
        duplicate = _live_duplicate(locked.source, reference, key)
        if duplicate is not None and not override_reason:
            raise InvalidInput.one(
                "reference",
                _(
                    "重复支付：%(ref)s 已在代发批次%(batch)s第%(seq)d行（%(status)s）；"
                    "确需再次支付请填写理由"
                )
                % {
                    "ref": reference,
                    "batch": duplicate.batch_id,
                    "seq": duplicate.seq,
                    "status": duplicate.get_status_display(),
                },
            )
        seq = (locked.lines.aggregate(m=Max("seq"))["m"] or 0) + 1
        line = Line(
            batch=locked,
            org_id=locked.org_id,
            source=locked.source,
            seq=seq,
            reference=reference,
            payee_key=str(key),
            payee_name=payee_name,
            member=member,
            id_number=number,
            bank_name=bank_name,
            bank_account=account,
            amount=amount,
            # the reason is kept only where it lets a second line through
            override_reason=override_reason if duplicate is not None else "",
            created_by=by,
        )
        try:
            with transaction.atomic():
                line.save()
        except IntegrityError:
            # another request added the same payee a moment ago: the database said no
            raise InvalidInput.one(
                "reference", _("重复支付：%(ref)s 已有待支付或已到账的明细") % {"ref": reference}
            ) from None
        audit.record(
            actor=by,
            action="payments.line_override" if line.override_reason else "payments.line_add",
            object_type="payment_line",
            object_id=line.pk,
            object_org=locked.org,
            object_repr=f"{locked}第{seq}行",
            changes={k: {"before": None, "after": v} for k, v in audit.snapshot(line).items()},
            note=line.override_reason,
        )
    return line


@dataclass
class LineIn:
    """One payee of ``add_lines``: the same fields as ``add_line``'s keywords."""

    reference: str
    amount: Any
    payee_name: str
    id_number: str = ""
    bank_name: str = ""
    bank_account: str = ""
    member: Any = None
    override_reason: str = ""


@dataclass
class LinesAdded:
    """What ``add_lines`` did: ``lines`` in the order given (``None`` where the row was
    refused), ``refused`` as ``(index, field, reason)`` with the index into the input."""

    lines: list[Line | None]
    refused: list[tuple[int, str, str]]
    overridden: int = 0
    total: Decimal = Decimal("0.00")

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line is not None)


DUPLICATE_CHUNK = 2000  # payee keys per look-up (SQLite's bound-parameter limit)


def _live_duplicates(source: str, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Line]:
    """The first live line of each ``(reference, payee_key)`` pair that has one: a query per
    reference and chunk of keys (a campaign has one reference and many keys)."""
    by_reference: dict[str, list[str]] = {}
    for reference, key in pairs:
        by_reference.setdefault(reference, []).append(key)
    found: dict[tuple[str, str], Line] = {}
    for reference, keys in by_reference.items():
        for start in range(0, len(keys), DUPLICATE_CHUNK):
            rows = (
                Line.objects.filter(
                    source=source,
                    reference=reference,
                    payee_key__in=keys[start : start + DUPLICATE_CHUNK],
                    status__in=LIVE_STATUSES,
                )
                .exclude(kind=LineKind.REVERSAL)
                .only("id", "batch_id", "seq", "status", "reference", "payee_key")
                .order_by("id")
            )
            for line in rows:
                found.setdefault((line.reference, line.payee_key), line)
    return found


def add_lines(batch: Batch, items: Iterable[LineIn], *, by: Any, note: str = "") -> LinesAdded:
    """Many payees of a draft batch at once (a campaign's recipients, grants in bulk): the
    same checks as ``add_line`` row by row, then set-based — one look-up of live lines per
    reference and chunk, one bulk insert, one audit row for the batch with the counts.

    A row with bad input, or a second live line of a source record and payee (in the
    database or earlier in ``items``) without an override reason, is refused with its index,
    field and reason and the others go in; an override reason is kept only where it lets a
    second line through. If another request adds the same payee at the same moment, the
    database refuses the insert and nothing of this call is written (``Conflict``)."""
    _check(by, "payments.make", batch.org)
    rows = list(items)
    refused: list[tuple[int, str, str]] = []
    ready: list[tuple[int, dict[str, Any]]] = []
    for index, item in enumerate(rows):
        try:
            number = _id_number(item.id_number)
            account = _account(item.bank_account)
            payee_name = _text(item.payee_name, "payee_name", _("户名"), 100)
            values = {
                "reference": _text(item.reference, "reference", _("业务编号"), 100),
                "amount": parse_amount(item.amount),
                "payee_name": payee_name,
                "id_number": number,
                "bank_name": _text(item.bank_name, "bank_name", _("开户行"), 100, required=False),
                "bank_account": account,
                "member": item.member,
                "override_reason": _text(
                    item.override_reason, "override_reason", _("理由"), 200, required=False
                ),
                "payee_key": payee_key(
                    id_number=number,
                    member=item.member,
                    payee_name=payee_name,
                    bank_account=account,
                ),
            }
        except InvalidInput as exc:
            error = exc.errors[0]
            refused.append((index, str(error["field"]), str(error["message"])))
            continue
        ready.append((index, values))
    result = LinesAdded(lines=[None] * len(rows), refused=refused)
    with transaction.atomic():
        locked = _lock(batch)
        WORKFLOW.check(locked.status, "submit")  # lines are added to a draft only
        existing = _live_duplicates(
            locked.source, {(v["reference"], v["payee_key"]) for _i, v in ready}
        )
        taken: dict[tuple[str, str], int] = {}  # pairs given a line in this call → index
        seq = (locked.lines.aggregate(m=Max("seq"))["m"] or 0) + 1
        new: list[tuple[int, Line]] = []
        for index, v in ready:
            pair = (v["reference"], v["payee_key"])
            duplicate = existing.get(pair)
            earlier = taken.get(pair)
            if (duplicate is not None or earlier is not None) and not v["override_reason"]:
                if duplicate is not None:
                    reason = _(
                        "重复支付：%(ref)s 已在代发批次%(batch)s第%(seq)d行（%(status)s）；"
                        "确需再次支付请填写理由"
                    ) % {
                        "ref": v["reference"],
                        "batch": duplicate.batch_id,
                        "seq": duplicate.seq,
                        "status": duplicate.get_status_display(),
                    }
                else:
                    reason = _("重复支付：%(ref)s 与本次第 %(n)d 条是同一收款人") % {
                        "ref": v["reference"],
                        "n": (earlier or 0) + 1,
                    }
                refused.append((index, "reference", reason))
                continue
            second = duplicate is not None or earlier is not None
            if not second:
                taken[pair] = index
            line = Line(
                batch=locked,
                org_id=locked.org_id,
                source=locked.source,
                seq=seq,
                created_by=by,
                **{**v, "override_reason": v["override_reason"] if second else ""},
            )
            seq += 1
            result.overridden += 1 if second else 0
            result.total += v["amount"]
            new.append((index, line))
        try:
            with transaction.atomic():
                Line.objects.bulk_create([line for _i, line in new], batch_size=1000)
        except IntegrityError:
            # another request added one of these payees a moment ago: the database said no
            raise Conflict(
                _("另一操作刚刚为其中的收款人添加了代发明细，本次未写入任何明细，请重试")
            ) from None
        for index, line in new:
            result.lines[index] = line
        refused.sort()
        if new or refused:
            audit.record(
                actor=by,
                action="payments.lines_add",
                object_type="payment_batch",
                object_id=locked.pk,
                object_org=locked.org,
                object_repr=str(locked),
                changes={
                    "counts": {
                        "before": None,
                        "after": {
                            "added": len(new),
                            "refused": len(refused),
                            "overridden": result.overridden,
                            "total": str(result.total),
                            # each second payment with its reason, as the per-line path keeps
                            "overrides": [
                                f"{line.seq}：{line.override_reason}"
                                for _i, line in new
                                if line.override_reason
                            ][:100],
                        },
                    }
                },
                note=note[:200],
            )
    return result


def remove_line(line: Line, *, by: Any) -> None:
    """Take a line out of a draft batch (an approved one is corrected by reversal)."""
    _check(by, "payments.make", line.batch.org)
    with transaction.atomic():
        locked = _lock(line.batch)
        if locked.status != BatchStatus.DRAFT:
            raise Conflict(_("批次已提交，明细不能删除；已审批的明细请冲正"))
        before = audit.snapshot(line)
        Line.objects.filter(pk=line.pk, frozen=False).delete()
        audit.record(
            actor=by,
            action="payments.line_remove",
            object_type="payment_line",
            object_id=line.pk,
            object_org=locked.org,
            object_repr=f"{locked}第{line.seq}行",
            changes={k: {"before": v, "after": None} for k, v in before.items()},
        )


def submit(batch: Batch, *, by: Any) -> Batch:
    _check(by, "payments.make", batch.org)
    with transaction.atomic():
        locked = _lock(batch)
        if locked.status == BatchStatus.SUBMITTED:
            return locked  # submitted twice: nothing more to do
        WORKFLOW.check(locked.status, "submit", by.role)
        if not locked.lines.exists():
            raise InvalidInput.one("lines", _("批次中还没有明细"))
        before = audit.snapshot(locked, BATCH_AUDITED)
        _advance(locked, "submit", by, submitted_by=by, submitted_at=timezone.now())
        _record_batch(by, locked, "payments.submit", before, total=str(_batch_total(locked)))
    return locked


def recall(batch: Batch, *, by: Any) -> Batch:
    """A submitted batch back to draft, to correct it before anyone approves it."""
    _check(by, "payments.make", batch.org)
    with transaction.atomic():
        locked = _lock(batch)
        WORKFLOW.check(locked.status, "recall", by.role)
        before = audit.snapshot(locked, BATCH_AUDITED)
        _advance(locked, "recall", by)
        _record_batch(by, locked, "payments.recall", before)
    return locked


def approve(batch: Batch, *, by: Any) -> Batch:
    """Approve a submitted batch and freeze its lines, in one set-based statement. The
    approver is neither the batch's maker nor its submitter. Approving an approved batch
    (a double click, a second approver a moment late) changes nothing."""
    _check(by, "payments.approve", batch.org)
    with transaction.atomic():
        current = Batch.objects.get(pk=batch.pk)
        if by.pk in (current.created_by_id, current.submitted_by_id):
            raise Forbidden(_("审批人不能是该批次的制单人或提交人"))
        before = audit.snapshot(current, BATCH_AUDITED)
        if not _advance(current, "approve", by, approved_by=by, approved_at=timezone.now()):
            current.refresh_from_db()
            if current.status in FROZEN_STATUSES:
                return current
            WORKFLOW.check(current.status, "approve", by.role)
        # the batch's state now freezes its lines (the database's triggers, migration 0004):
        # no line is rewritten; the audit row holds what was approved and its checksum
        signed = lines_signature(current)
        _record_batch(
            by,
            current,
            "payments.approve",
            before,
            line_count=signed.count,
            total=str(signed.total),
            checksum=signed.checksum,
        )
    return current


@dataclass
class Signature:
    """What an approver signs: the batch's lines counted, their total (payment lines;
    reversals apart) and a SHA-256 of every line's id, 序号, kind, 业务编号, 户名, 开户行
    and amount in 序号 order — the columns the database keeps frozen that a key rotation does
    not rewrite (the encrypted ID and account, and the payee's keyed hash, it does)."""

    count: int
    total: Decimal
    checksum: str


SIGNED_COLUMNS = ("id", "seq", "kind", "reference", "payee_name", "bank_name", "amount")


# SIGNED_COLUMNS as one text per line, hashed in the server
SIGNATURE_SQL = """
SELECT count(*), coalesce(sum(amount) FILTER (WHERE kind <> %s), 0),
       encode(sha256(convert_to(coalesce(string_agg(
           concat_ws('|', id::text, seq::text, kind, reference, payee_name, bank_name,
                     amount::text),
           E'\\n' ORDER BY seq), ''), 'UTF8')), 'hex')
  FROM payments_line WHERE batch_id = %s
"""


def _signed_text(rows: Iterable[tuple[Any, ...]]) -> str:
    return "\n".join("|".join(str(value) for value in row) for row in rows)


def lines_signature(batch: Batch) -> Signature:
    """``Signature`` of ``batch``'s lines as they are now. On PostgreSQL one aggregate query
    (the lines never leave the server); on SQLite, in-process, the same text hashed here."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(SIGNATURE_SQL, [LineKind.REVERSAL, batch.pk])
            count, total, checksum = cursor.fetchone()
        return Signature(count, Decimal(total).quantize(CENT), checksum)
    rows = list(batch.lines.order_by("seq").values_list(*SIGNED_COLUMNS))
    total = sum((row[-1] for row in rows if row[2] != LineKind.REVERSAL), Decimal("0.00"))
    checksum = hashlib.sha256(_signed_text(rows).encode()).hexdigest()
    return Signature(len(rows), Decimal(total).quantize(CENT), checksum)


# --- the bank file ---------------------------------------------------------------------------


def bank_rows(batch: Batch) -> Iterable[list[Any]]:
    """The lines the bank is still to pay, in the common 代发 layout."""
    lines = (
        batch.lines.filter(status=LineStatus.PENDING)
        .exclude(kind=LineKind.REVERSAL)
        .order_by("seq")
    )
    for line in lines.iterator(chunk_size=2000):
        yield [
            line.seq,
            line.payee_name,
            line.bank_account,
            line.bank_name,
            line.amount,
            batch.purpose,
            line.reference,
        ]


def export_bank_file(batch: Batch, *, by: Any) -> bytes:
    """The XLSX the bank takes (序号, 户名, 账号, 开户行, 金额, 用途, 业务编号), whole
    account numbers in it: only for ``payments.bank_file``, every export audited. The first
    export moves an approved batch to exported; exporting again changes no state."""
    _check(by, "payments.bank_file", batch.org)
    with transaction.atomic():
        locked = _lock(batch)
        if locked.status not in FROZEN_STATUSES:
            WORKFLOW.check(locked.status, "export", by.role)
        before = audit.snapshot(locked, BATCH_AUDITED)
        buffer = BytesIO()
        rows = spreadsheets.write_rows(buffer, _("代发明细"), BANK_HEADER, bank_rows(locked))
        if locked.status == BatchStatus.APPROVED:
            _advance(locked, "export", by, exported_at=timezone.now())
        _record_batch(
            by,
            locked,
            "payments.export",
            before,
            note=_("导出银行代发文件（含完整账号）"),
            rows=rows,
        )
    return buffer.getvalue()


# --- the bank's confirmations ----------------------------------------------------------------

CONFIRMATION_ALIASES: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "行号", "明细序号"),
    "payee_name": ("户名", "收款人", "收款户名", "姓名"),
    "bank_account": ("账号", "收款账号", "卡号", "银行账号"),
    "amount": ("金额", "交易金额", "代发金额", "金额（元）"),
    "result": ("处理结果", "状态", "交易状态", "结果", "代发结果"),
    "reason": ("失败原因", "原因", "备注", "说明"),
    "paid_on": ("交易日期", "到账日期", "入账日期", "日期"),
    "reference": ("业务编号",),
}
PAID_WORDS = {"成功", "已成功", "交易成功", "到账", "已到账", "成功到账", "success", "paid", "ok"}
FAILED_WORDS = {"失败", "交易失败", "退回", "退票", "已退回", "fail", "failed", "rejected"}


@dataclass
class Outcome:
    line: Line
    status: str
    reason: str
    paid_on: date | None


def _result(text: str) -> str:
    word = unicodedata.normalize("NFKC", text).strip().lower()
    if word in PAID_WORDS:
        return LineStatus.PAID
    if word in FAILED_WORDS:
        return LineStatus.FAILED
    return ""


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    text = spreadsheets.cell_text(value).strip()[:10].replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        if len(text) == 8 and text.isdigit():
            try:
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                return None
        return None


def import_confirmations(batch: Batch, upload: Any, *, by: Any) -> dict[str, Any]:
    """Read the bank's confirmation sheet for an exported batch: each row matched to its
    line by 序号 (checked against the account) or, without one, by the account; the amount
    must agree. Matched rows mark lines paid or failed (with the bank's reason); what did
    not match is listed with its row number and why, and changes nothing. Importing the
    same sheet again changes nothing. Counts: ``rows``, ``paid``, ``failed``,
    ``unchanged``, ``unmatched`` and ``problems`` (``[{"row", "reason"}]``)."""
    _check(by, "payments.make", batch.org)
    received = spreadsheets.save_upload(upload, prefix="payments-confirm-")
    try:
        sheet = spreadsheets.open_sheet(
            received.path,
            aliases=CONFIRMATION_ALIASES,
            required=("amount", "result"),
            file_name=received.name,
        )
        if "seq" not in sheet.columns and "bank_account" not in sheet.columns:
            raise spreadsheets.UnusableFile(_("缺少必需的列：序号 或 账号"))
        with transaction.atomic():
            locked = _lock(batch)
            if locked.status not in (
                BatchStatus.EXPORTED,
                BatchStatus.PARTLY,
                BatchStatus.CONFIRMED,
            ):
                raise Conflict(_("批次导出银行文件后才能导入回单"))
            lines = {
                line.seq: line
                for line in locked.lines.exclude(kind=LineKind.REVERSAL).order_by("seq")
            }
            by_account: dict[str, list[Line]] = {}
            for line in lines.values():
                by_account.setdefault(line.bank_account, []).append(line)
            outcomes, problems, unchanged, rows = _match(sheet, lines, by_account)
            counts = _apply(outcomes)
            state = _settle(locked, by) if outcomes else locked.status
            result = {
                "rows": rows,
                "paid": counts[LineStatus.PAID],
                "failed": counts[LineStatus.FAILED],
                "unchanged": unchanged,
                "unmatched": len(problems),
                "problems": problems,
                "status": state,
            }
            audit.record(
                actor=by,
                action="payments.confirm",
                object_type="payment_batch",
                object_id=locked.pk,
                object_org=locked.org,
                object_repr=str(locked),
                changes={
                    "counts": {
                        "before": None,
                        "after": {k: v for k, v in result.items() if k != "problems"},
                    }
                },
                note=received.name[:200],
            )
        return result
    finally:
        uploads.remove(received.path)


def _match(
    sheet: spreadsheets.Sheet, lines: dict[int, Line], by_account: dict[str, list[Line]]
) -> tuple[list[Outcome], list[dict[str, Any]], int, int]:
    def cell(cells: list[Any], name: str) -> Any:
        index = sheet.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    outcomes: list[Outcome] = []
    problems: list[dict[str, Any]] = []
    seen: set[int] = set()
    unchanged = rows = 0
    for number, cells in sheet.rows:
        rows += 1

        def refuse(reason: str, number: int = number) -> None:
            problems.append({"row": number, "reason": reason})

        account = normalise_account(spreadsheets.cell_text(cell(cells, "bank_account")))
        seq_text = spreadsheets.cell_text(cell(cells, "seq")).strip()
        line: Line | None = None
        if seq_text:
            if not seq_text.isdigit() or int(seq_text) not in lines:
                refuse(_("本批次没有序号 %(seq)s") % {"seq": seq_text[:20]})
                continue
            line = lines[int(seq_text)]
            if account and account != line.bank_account:
                refuse(_("账号与本批次第 %(seq)d 行不符") % {"seq": line.seq})
                continue
        elif account:
            found = by_account.get(account, [])
            if len(found) != 1:
                refuse(
                    _("本批次没有该账号") if not found else _("该账号在本批次有多行，请填写序号")
                )
                continue
            line = found[0]
        else:
            refuse(_("序号和账号都为空"))
            continue
        try:
            amount = parse_amount(spreadsheets.cell_text(cell(cells, "amount")))
        except InvalidInput:
            refuse(_("金额无法识别"))
            continue
        if amount != line.amount:
            refuse(
                _("金额不符：回单 %(got)s 元，应付 %(want)s 元")
                % {"got": amount, "want": line.amount}
            )
            continue
        status = _result(spreadsheets.cell_text(cell(cells, "result")))
        if not status:
            refuse(_("无法识别的处理结果（应为“成功”或“失败”）"))
            continue
        if line.seq in seen:
            refuse(_("第 %(seq)d 行在回单中重复出现") % {"seq": line.seq})
            continue
        seen.add(line.seq)
        if line.status == status:
            unchanged += 1
            continue
        if line.status != LineStatus.PENDING:
            refuse(
                _("第 %(seq)d 行已是“%(now)s”，回单为“%(got)s”，未改动")
                % {
                    "seq": line.seq,
                    "now": line.get_status_display(),
                    "got": LineStatus(status).label,
                }
            )
            continue
        reason = spreadsheets.cell_text(cell(cells, "reason")).strip()[:200]
        paid_on = _day(cell(cells, "paid_on")) or timezone.localdate()
        outcomes.append(
            Outcome(
                line=line,
                status=status,
                reason=reason if status == LineStatus.FAILED else "",
                paid_on=paid_on if status == LineStatus.PAID else None,
            )
        )
    return outcomes, problems, unchanged, rows


def _apply(outcomes: list[Outcome]) -> dict[str, int]:
    """The results written set-based: one UPDATE per distinct (result, reason, date) and
    chunk of lines — a bank's answer has a few dates and reasons for many lines — touching
    status, reason and date only (the frozen columns are never part of the statement)."""
    groups: dict[tuple[str, str, date | None], list[int]] = {}
    counts: dict[str, int] = {LineStatus.PAID: 0, LineStatus.FAILED: 0}
    for o in outcomes:
        o.line.status, o.line.fail_reason, o.line.paid_on = o.status, o.reason, o.paid_on
        groups.setdefault((o.status, o.reason, o.paid_on), []).append(o.line.pk)
        counts[LineStatus(o.status)] += 1
    for (status, reason, paid_on), pks in groups.items():
        for start in range(0, len(pks), DUPLICATE_CHUNK):
            Line.objects.filter(pk__in=pks[start : start + DUPLICATE_CHUNK]).update(
                status=status, fail_reason=reason, paid_on=paid_on
            )
    return counts


def _settle(batch: Batch, by: Any) -> str:
    """Confirmed when every payment line of the batch is paid (or corrected), else partly."""
    open_lines = (
        batch.lines.exclude(kind=LineKind.REVERSAL)
        .filter(status__in=(LineStatus.PENDING, LineStatus.FAILED))
        .exists()
    )
    step = "confirm_partly" if open_lines else "confirm"
    if batch.status != WORKFLOW.get(step).target:
        _advance(batch, step, by, confirmed_at=timezone.now())
    hook = SETTLED.get(batch.source)
    if hook is not None:
        hook(batch, by)
    return batch.status


def record_results(
    batch: Batch, results: Iterable[tuple[Line, str, str, date | None]], *, by: Any
) -> str:
    """The bank's results given as ``(line, "paid"|"failed", reason, paid_on)`` rather than
    as a sheet (a bank interface, the demo): the same rules as ``import_confirmations``."""
    _check(by, "payments.make", batch.org)
    with transaction.atomic():
        locked = _lock(batch)
        if locked.status not in (BatchStatus.EXPORTED, BatchStatus.PARTLY):
            raise Conflict(_("批次导出银行文件后才能登记到账结果"))
        outcomes = [
            Outcome(line, status, reason, paid_on)
            for line, status, reason, paid_on in results
            if line.batch_id == locked.pk and line.status == LineStatus.PENDING
        ]
        counts = _apply(outcomes)
        state = _settle(locked, by)
        audit.record(
            actor=by,
            action="payments.confirm",
            object_type="payment_batch",
            object_id=locked.pk,
            object_org=locked.org,
            object_repr=str(locked),
            changes={"counts": {"before": None, "after": {str(k): v for k, v in counts.items()}}},
        )
    return state


# --- corrections -----------------------------------------------------------------------------


def _followup(original: Batch, by: Any) -> Batch:
    """The draft batch gathering the corrections of ``original`` (made once, then reused
    until it is submitted). The caller holds the lock on ``original``."""
    draft = Batch.objects.filter(follows=original, status=BatchStatus.DRAFT).order_by("id").first()
    if draft is not None:
        return draft
    draft = Batch.objects.create(
        org=original.org,
        source=original.source,
        purpose=original.purpose,
        title=(_("%(title)s（更正）") % {"title": original.title})[:150],
        follows=original,
        created_by=by,
    )
    _record_batch(by, draft, "payments.batch_create", {}, note=_("更正批次"))
    return draft


def _next_seq(batch: Batch) -> int:
    return (batch.lines.aggregate(m=Max("seq"))["m"] or 0) + 1


def _set_status(line: Line, status: str, by: Any, action: str, note: str = "") -> None:
    before = line.status
    Line.objects.filter(pk=line.pk).update(status=status, updated_at=timezone.now())
    line.status = status
    audit.record(
        actor=by,
        action=action,
        object_type="payment_line",
        object_id=line.pk,
        object_org=line.org,
        object_repr=f"{line.batch}第{line.seq}行",
        changes={"status": {"before": before, "after": status}},
        note=note,
    )


def reverse(line: Line, *, reason: str, by: Any) -> Line:
    """Cancel an approved line (pending or paid): the line becomes 已冲正 and a reversal line
    (the negative amount, linked to it) is written in the batch's correction batch."""
    _check(by, "payments.approve", line.org)
    reason = _text(reason, "reason", _("冲正原因"), 200)
    with transaction.atomic():
        batch = _lock(line.batch)
        current = Line.objects.select_for_update().get(pk=line.pk)
        if not (current.frozen or batch.frozen) or current.kind == LineKind.REVERSAL:
            raise Conflict(_("只有已审批的支付明细可以冲正；草稿中的明细请直接删除"))
        if current.status not in LIVE_STATUSES:
            raise Conflict(
                _("该明细为“%(status)s”，不能冲正") % {"status": current.get_status_display()}
            )
        _set_status(current, LineStatus.REVERSED, by, "payments.reverse", reason)
        draft = _followup(batch, by)
        reversal = Line.objects.create(
            batch=draft,
            org_id=draft.org_id,
            source=draft.source,
            seq=_next_seq(draft),
            kind=LineKind.REVERSAL,
            reference=current.reference,
            payee_key=current.payee_key,
            payee_name=current.payee_name,
            member_id=current.member_id,
            id_number=current.id_number,
            bank_name=current.bank_name,
            bank_account=current.bank_account,
            amount=-current.amount,
            status=LineStatus.REVERSED,
            original=current,
            reason=reason,
            created_by=by,
        )
        audit.record(
            actor=by,
            action="payments.line_add",
            object_type="payment_line",
            object_id=reversal.pk,
            object_org=draft.org,
            object_repr=f"{draft}第{reversal.seq}行",
            changes={k: {"before": None, "after": v} for k, v in audit.snapshot(reversal).items()},
            note=reason,
        )
    return reversal


def reissue(line: Line, *, by: Any, bank_account: str = "", bank_name: str = "") -> Line:
    """Pay a failed (or reversed) line again, to the same payee and amount, optionally to a
    corrected account: a new pending line in the batch's correction batch, linked to it."""
    _check(by, "payments.make", line.org)
    account = _account(bank_account) if bank_account else ""
    bank_name = _text(bank_name, "bank_name", _("开户行"), 100, required=False)
    with transaction.atomic():
        batch = _lock(line.batch)
        current = Line.objects.select_for_update().get(pk=line.pk)
        if current.kind == LineKind.REVERSAL or current.status not in (
            LineStatus.FAILED,
            LineStatus.REVERSED,
        ):
            raise Conflict(_("只有支付失败或已冲正的明细可以重发"))
        again = current.corrections.filter(kind=LineKind.REISSUE, status__in=LIVE_STATUSES).first()
        if again is not None:
            raise Conflict(
                _("该明细已在代发批次%(batch)s第%(seq)d行重发")
                % {"batch": again.batch_id, "seq": again.seq}
            )
        if current.status == LineStatus.FAILED:
            _set_status(current, LineStatus.REISSUED, by, "payments.reissue_mark")
        draft = _followup(batch, by)
        new = Line(
            batch=draft,
            org_id=draft.org_id,
            source=draft.source,
            seq=_next_seq(draft),
            kind=LineKind.REISSUE,
            reference=current.reference,
            payee_key=current.payee_key,
            payee_name=current.payee_name,
            member_id=current.member_id,
            id_number=current.id_number,
            bank_name=bank_name or current.bank_name,
            bank_account=account or current.bank_account,
            amount=current.amount,
            original=current,
            created_by=by,
        )
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:
            raise Conflict(_("该收款人的这笔款项已有待支付或已到账的明细")) from None
        audit.record(
            actor=by,
            action="payments.reissue",
            object_type="payment_line",
            object_id=new.pk,
            object_org=draft.org,
            object_repr=f"{draft}第{new.seq}行",
            changes={k: {"before": None, "after": v} for k, v in audit.snapshot(new).items()},
            note=f"{line.batch}第{line.seq}行",
        )
    return new
