"""The audit log: every service writes one row, in its own transaction, through ``record``.

Values pass through ``snapshot`` which masks sensitive fields (encrypted fields, anything the
model lists in ``audit_masked``), so no plain ID number or phone ever reaches the log.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import masking
from .fields import EncryptedTextField
from .models import AuditEntry

# Set by AuditContextMiddleware for the duration of a request.
request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_ip", default=None)

MASKERS = {
    "id_number": masking.mask_id_number,
    "phone": masking.mask_phone,
    "name": masking.mask_name,
    "text": masking.mask_text,
    "bank_account": masking.mask_bank_account,
}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dict | list):
        # a JSON field: PostgreSQL's jsonb gives keys back in its own order, so a dict read
        # from the database and the same dict built in Python must compare (and audit) alike
        return json.loads(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))
    return str(value)


def masked_value(field: models.Field[Any, Any], value: Any, model: type[models.Model]) -> Any:
    kind = getattr(model, "audit_masked", {}).get(field.name)
    if kind is None and isinstance(field, EncryptedTextField):
        kind = getattr(field, "mask", None) or "generic"
    if kind is None:
        return _plain(value)
    return MASKERS.get(kind, masking.mask_generic)(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audit view of an instance: field → value, sensitive masked; a foreign key shows the
    related record's ``code`` when it has one (an org), else its id."""
    opts = instance._meta
    names = (
        list(fields)
        if fields is not None
        else [f.name for f in opts.concrete_fields if not f.primary_key]
    )
    out: dict[str, Any] = {}
    for name in names:
        field = opts.get_field(name)
        if not getattr(field, "concrete", False) or field.name in {"created_at", "updated_at"}:
            continue
        if getattr(field, "source", None):  # blind index: derived, never audited
            continue
        if field.many_to_one:
            related = getattr(instance, name)
            out[name] = getattr(related, "code", None) or _plain(related)
            continue
        attname = getattr(field, "attname", name)
        out[name] = masked_value(field, getattr(instance, attname), type(instance))  # type: ignore[arg-type]
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        k: {"before": before.get(k), "after": after.get(k)}
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any,
    object_org: Any = None,
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one audit row. Call it inside the service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        # A write and its audit row commit together or not at all.
        raise RuntimeError("audit.record must run inside the service's transaction")
    is_user = getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_name=(actor.get_username() if is_user else str(actor or "system"))[:150],
        org_id=getattr(actor, "org_id", None) if is_user else None,
        object_org=object_org,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        changes=changes or {},
        note=note[:500],
        ip=request_ip.get(),
    )


def record_rows(
    *,
    actor: Any,
    action: str,
    object_type: str,
    items: Iterable[tuple[Any, Any, str, dict[str, Any], str]],
) -> int:
    """``record`` for many objects at once, set-based: one audit row per item
    ``(object_id, object_org_id, object_repr, changes, note)``, all by ``actor`` at the same
    moment, each with its digest (``core.auditchain``), written with ``core.bulk.insert_rows``.
    ``changes`` must be plain JSON already (``snapshot`` and ``diff`` give that). Call it inside
    the service's transaction; returns the rows written."""
    import hashlib
    import json

    from . import bulk
    from .auditchain import canonical

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_rows must run inside the service's transaction")
    is_user = getattr(actor, "is_authenticated", False)
    at = timezone.now()
    head = {
        "at": at,
        "actor_id": actor.pk if is_user else None,
        "actor_name": (actor.get_username() if is_user else str(actor or "system"))[:150],
        "org_id": getattr(actor, "org_id", None) if is_user else None,
        "action": action,
        "object_type": object_type,
        "ip": request_ip.get(),
    }
    columns = [*head, "object_org_id", "object_id", "object_repr", "changes", "note", "digest"]
    defaults = bulk.column_defaults(AuditEntry, columns)
    fixed = [*head.values()]
    fixed[0] = bulk.db_literal(at)
    tail = (*defaults.values(),)
    written = 0

    def rows() -> Any:
        nonlocal written
        for object_id, object_org_id, object_repr, changes, note in items:
            entry = head | {
                "object_org_id": object_org_id,
                "object_id": str(object_id)[:64],
                "object_repr": object_repr[:200],
                "changes": changes or {},
                "note": note[:500],
            }
            digest = hashlib.sha256(canonical(entry)).hexdigest()
            written += 1
            yield (*fixed, object_org_id, entry["object_id"], entry["object_repr"],
                   json.dumps(entry["changes"]), entry["note"], digest, *tail)  # fmt: skip

    bulk.insert_rows(AuditEntry._meta.db_table, [*columns, *defaults], rows())
    return written


# --- the display side: an audit row in the reader's language -------------------------------
#
# Modules declare, in their ``audit_labels.py`` (discovered at start-up like ``metrics.py``),
# what their rows mean: ``register_type`` names the model behind an ``object_type`` (whose
# verbose names and choices label the changed fields and values) and ``register_actions``
# labels the actions. ``describe`` turns a page of rows into text, looking related records
# up in one query per model, so a page costs the same queries whatever it holds.


@dataclass(frozen=True)
class AuditType:
    key: str
    model: str  # "app_label.Model"
    label: Any = ""  # defaults to the model's verbose name
    lookup: str = "pk"  # the field ``object_id`` holds (an org's is its code)
    url: str = ""  # URL name taking ``object_id``: the record's page
    fields: dict[str, Any] = field(default_factory=dict)  # labels of keys not on the model
    name: Callable[[Any], str] | None = None  # a record as people say it (default: str())
    related: tuple[str, ...] = ()  # select_related for ``name``


TYPES: dict[str, AuditType] = {}
ACTIONS: dict[str, Any] = {}
# Keys that several modules write outside any model's fields.
COMMON_FIELDS: dict[str, Any] = {
    "counts": gettext_lazy("数量"),
    "rows": gettext_lazy("行数"),
    "revealed": gettext_lazy("查看的字段"),
    "attachment": gettext_lazy("附件"),
    "password": gettext_lazy("密码"),
    "created": gettext_lazy("新增"),
    "updated": gettext_lazy("更新"),
    "unchanged": gettext_lazy("未变"),
    "rejected": gettext_lazy("未导入"),
    "errors_file": gettext_lazy("错误行文件"),
}
YES, NO = gettext_lazy("是"), gettext_lazy("否")
EMPTY = "—"


def register_type(key: str, model: str, **options: Any) -> None:
    TYPES[key] = AuditType(key=key, model=model, **options)


def register_actions(labels: dict[str, Any]) -> None:
    ACTIONS.update(labels)


def _model(key: str) -> type[models.Model] | None:
    kind = TYPES.get(key)
    if kind is None:
        return None
    try:
        return apps.get_model(kind.model)
    except LookupError:
        return None


def type_label(key: str) -> str:
    kind = TYPES.get(key)
    if kind is None:
        return key
    if kind.label:
        return str(kind.label)
    model = _model(key)
    return str(model._meta.verbose_name) if model is not None else key


def action_label(action: str) -> str:
    """``hotline.dispatch`` → 派单; an action nobody registered shows as it is written."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The registered actions grouped under their record type, for a filter's select."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action, label in ACTIONS.items():
        head = action.split(".", 1)[0]
        group = str(GROUPS[head]) if head in GROUPS else type_label(head)
        groups.setdefault(group, []).append((action, str(label)))
    return [(group, sorted(items, key=lambda c: c[1])) for group, items in groups.items()]


# Action prefixes that are not an object type of their own (``hotline.*`` → 工单).
GROUPS: dict[str, Any] = {}


def field_label(object_type: str, name: str) -> str:
    kind = TYPES.get(object_type)
    if kind is not None and name in kind.fields:
        return str(kind.fields[name])
    model = _model(object_type)
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        except FieldDoesNotExist:
            pass
    return str(COMMON_FIELDS.get(name, name))


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class Described:
    """An audit row as the pages show it."""

    entry: AuditEntry
    action: str
    actor: str
    actor_org: str
    object_type: str
    object: str
    url: str
    changes: list[Change]


def _record_name(kind: AuditType | None, obj: Any) -> str:
    if kind is not None and kind.name is not None:
        return kind.name(obj)
    return _name(obj)


def _name(obj: Any) -> str:
    for attr in ("full_name", "name"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return str(obj)


def _related_field(object_type: str, name: str) -> models.Field[Any, Any] | None:
    model = _model(object_type)
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _related_key(target: type[models.Model]) -> str:
    """What ``snapshot`` stored for a foreign key to ``target``: its code, else its id."""
    names = {f.name for f in target._meta.concrete_fields}
    return "code" if "code" in names else "pk"


def _when(value: str) -> str | None:
    """An ISO datetime ``snapshot`` wrote, in local time to the minute (a date stays)."""
    if len(value) < 16 or value[10] != "T":
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def _text(
    object_type: str,
    name: str,
    value: Any,
    names: dict[tuple[type[models.Model], str], str],
) -> str:
    if value is None or value == "":
        return EMPTY
    model_field = _related_field(object_type, name)
    if isinstance(value, bool):
        return str(YES if value else NO)
    if model_field is not None:
        if model_field.many_to_one and model_field.related_model is not None:
            target = cast(type[models.Model], model_field.related_model)
            return names.get((target, str(value)), str(value))
        if model_field.choices:
            labels = {str(k): str(v) for k, v in model_field.flatchoices}
            return labels.get(str(value), str(value))
    if isinstance(value, list):
        return "、".join(field_label(object_type, str(v)) for v in value) or EMPTY
    if isinstance(value, dict):
        return "，".join(
            f"{field_label(object_type, str(k))} {_text(object_type, str(k), v, names)}"
            for k, v in value.items()
        )
    if isinstance(value, str):
        return _when(value) or value
    return str(value)


def describe(entries: Iterable[AuditEntry]) -> list[Described]:
    """Rows of the audit log in words: the action's label, the actor's full name and org,
    the record by its name (a work order by its number and topic) with a link to its page,
    each changed field by its verbose name, choices by their labels, booleans as 是/否,
    related records by name. One query per related model, whatever the page holds."""
    rows = list(entries)
    wanted: dict[tuple[type[models.Model], str], set[str]] = {}
    records: dict[str, set[str]] = {}
    for e in rows:
        if e.object_type in TYPES and e.object_id and e.object_id != "*":
            records.setdefault(e.object_type, set()).add(e.object_id)
        for name, change in (e.changes or {}).items():
            related = _related_field(e.object_type, name)
            if related is None or not related.many_to_one or related.related_model is None:
                continue
            target = cast(type[models.Model], related.related_model)
            for value in (change or {}).values() if isinstance(change, dict) else ():
                if value not in (None, "") and not isinstance(value, dict | list):
                    wanted.setdefault((target, _related_key(target)), set()).add(str(value))
    names: dict[tuple[type[models.Model], str], str] = {}
    for (target, key), values in wanted.items():
        qs = target._default_manager.filter(**{f"{key}__in": list(values)})
        for obj in qs:
            names[(target, str(getattr(obj, key)))] = _name(obj)
    objects: dict[tuple[str, str], str] = {}
    for object_type, ids in records.items():
        kind, model = TYPES[object_type], _model(object_type)
        if model is None:
            continue
        lookup = kind.lookup
        if lookup == "pk":
            ids = {i for i in ids if i.isdigit()}
        qs = model._default_manager.filter(**{f"{lookup}__in": list(ids)})
        if kind.related:
            qs = qs.select_related(*kind.related)
        for obj in qs:
            objects[(object_type, str(getattr(obj, lookup)))] = _record_name(kind, obj)
    out: list[Described] = []
    for e in rows:
        row_type = TYPES.get(e.object_type)
        shown = (
            objects.get((e.object_type, e.object_id))
            or e.object_repr
            or (e.object_id if e.object_id != "*" else EMPTY)  # "*": many records at once
        )
        url = ""
        if row_type is not None and row_type.url and (e.object_type, e.object_id) in objects:
            try:
                url = reverse(row_type.url, args=[e.object_id])
            except NoReverseMatch:
                url = ""
        actor = e.actor
        changes = [
            Change(
                field=name,
                label=field_label(e.object_type, name),
                before=_text(e.object_type, name, (v or {}).get("before"), names),
                after=_text(e.object_type, name, (v or {}).get("after"), names),
            )
            for name, v in (e.changes or {}).items()
            if isinstance(v, dict)
        ]
        out.append(
            Described(
                entry=e,
                action=action_label(e.action),
                actor=(_name(actor) if actor is not None else "")
                or (e.actor_name if e.actor_name != "system" else str(SYSTEM)),
                actor_org=e.org.name if e.org_id and e.org is not None else "",
                object_type=type_label(e.object_type),
                object=str(shown),
                url=url,
                changes=changes,
            )
        )
    return out


SYSTEM = gettext_lazy("系统")
