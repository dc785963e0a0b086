"""The audit log: every service writes one row, in its own transaction, through ``record``.

Values pass through ``snapshot`` which masks sensitive fields (encrypted fields, anything the
model lists in ``audit_masked``), so no plain ID number or phone ever reaches the log.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

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
