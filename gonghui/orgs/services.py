"""Writes to the union tree. Each is one transaction with its audit row."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gonghui.core import audit, hooks
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.identifiers import normalise, validate_uscc
from gonghui.core.roles import can

from .models import ALLOWED_CHILDREN, Enterprise, Org, OrgKind

EDITABLE = (
    "name",
    "short_name",
    "kind",
    "region_code",
    "uscc",
    "founded_on",
    "chair",
    "contact_name",
    "contact_phone",
    "address",
    "headcount",
)


def _require(actor: Any, perm: str, org: Org | None) -> None:
    if org is not None and not can(actor, "orgs.view", org):
        raise NotFound()  # outside scope answers as missing
    if not can(actor, perm, org):
        raise Forbidden(_("当前角色无权执行此操作"))


def _org_code(value: Any) -> str:
    """An org code as typed: full-width folded, spaces dropped, upper case. Unlike
    ``normalise`` it keeps dashes, which codes such as ``G-A-0001`` contain."""
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()


def _parent_for(actor: Any, code: str | None, field: str = "parent") -> Org:
    if not code:
        raise InvalidInput.one(field, _("必须指定上级组织"))
    parent = Org.objects.filter(code=_org_code(code)).first()
    if parent is None or not can(actor, "orgs.view", parent):
        raise InvalidInput.one(field, _("上级组织不存在：%(code)s") % {"code": code})
    if not parent.active:
        raise InvalidInput.one(field, _("上级组织已撤销：%(code)s") % {"code": code})
    return parent


def _check_kind(kind: str, parent: Org | None) -> None:
    if kind not in OrgKind.values:
        raise InvalidInput.one("kind", _("未知的组织类型：%(kind)s") % {"kind": kind})
    if parent is not None and kind not in ALLOWED_CHILDREN[parent.kind]:
        raise InvalidInput.one(
            "kind",
            _("%(parent)s下不能设立%(kind)s")
            % {"parent": parent.get_kind_display(), "kind": OrgKind(kind).label},
        )


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in EDITABLE}
    for key in ("name", "short_name", "chair", "contact_name", "contact_phone", "address"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if "name" in out and not out["name"]:
        raise InvalidInput.one("name", _("名称不能为空"))
    if out.get("uscc"):
        try:
            out["uscc"] = validate_uscc(out["uscc"])
        except ValidationError as exc:
            raise InvalidInput.one("uscc", exc.messages[0]) from exc
    elif "uscc" in out:
        out["uscc"] = ""
    if out.get("region_code"):
        out["region_code"] = normalise(out["region_code"])
        if not out["region_code"].isdigit() or len(out["region_code"]) not in (6, 9, 12):
            raise InvalidInput.one("region_code", _("行政区划代码应为6、9或12位数字"))
    if "headcount" in out:
        try:
            out["headcount"] = int(out["headcount"] or 0)
        except (TypeError, ValueError) as exc:
            raise InvalidInput.one("headcount", _("职工人数应为整数")) from exc
        if out["headcount"] < 0:
            raise InvalidInput.one("headcount", _("职工人数不能为负数"))
    if "founded_on" in out and isinstance(out["founded_on"], str):
        try:
            out["founded_on"] = date.fromisoformat(out["founded_on"]) if out["founded_on"] else None
        except ValueError as exc:
            raise InvalidInput.one("founded_on", _("日期格式应为 YYYY-MM-DD")) from exc
    return out


def _uscc_free(uscc: str, exclude_pk: int | None = None) -> None:
    clash = Org.objects.filter(uscc=uscc)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if uscc and clash.exists():
        raise InvalidInput.one("uscc", _("统一社会信用代码已被其他组织使用"))


@transaction.atomic
def org_create(*, actor: Any, code: str, parent: str | None, **data: Any) -> Org:
    """Create an org under ``parent`` (a code). Only the root may have no parent."""
    code = _org_code(code)
    if not code or len(code) > 32 or not code.replace("-", "").isalnum():
        raise InvalidInput.one("code", _("组织代码应为1-32位字母或数字"))
    parent_org = _parent_for(actor, parent)
    _require(actor, "orgs.manage", parent_org)
    if Org.objects.filter(code=code).exists():
        raise InvalidInput.one("code", _("组织代码已存在：%(code)s") % {"code": code})
    fields = _clean_fields(data)
    if not fields.get("name"):
        raise InvalidInput.one("name", _("名称不能为空"))
    _check_kind(fields.get("kind", ""), parent_org)
    _uscc_free(fields.get("uscc", ""))
    org = org_insert(code=code, parent=parent_org, **fields)
    audit.record(
        actor=actor,
        action="org.create",
        object_type="org",
        object_id=org.code,
        object_org=org,
        object_repr=org.name,
        changes=audit.diff({}, audit.snapshot(org)),
    )
    return org


def org_insert(*, code: str, parent: Org | None, **fields: Any) -> Org:
    """Insert a node and set its path; no checks, no audit — for services and demo loading."""
    org = Org(code=code, parent=parent, path="", depth=parent.depth + 1 if parent else 0, **fields)
    org.save()
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    return org


@transaction.atomic
def org_update(*, actor: Any, org: Org, data: dict[str, Any]) -> Org:
    _require(actor, "orgs.manage", org)
    org = Org.objects.select_for_update().get(pk=org.pk)
    fields = _clean_fields(data)
    if "kind" in fields:
        _check_kind(fields["kind"], org.parent)
        bad = [c.name for c in org.children.all() if c.kind not in ALLOWED_CHILDREN[fields["kind"]]]
        if bad:
            raise InvalidInput.one(
                "kind", _("现有下级组织与该类型不符：%(names)s") % {"names": "、".join(bad[:5])}
            )
    _uscc_free(fields.get("uscc", ""), exclude_pk=org.pk)
    before = audit.snapshot(org, fields)
    for key, value in fields.items():
        setattr(org, key, value)
    changes = audit.diff(before, audit.snapshot(org, fields))
    if changes:
        org.save(update_fields=[*changes, "updated_at"])
        audit.record(
            actor=actor,
            action="org.update",
            object_type="org",
            object_id=org.code,
            object_org=org,
            object_repr=org.name,
            changes=changes,
        )
    return org


@transaction.atomic
def org_move(*, actor: Any, org: Org, parent: str) -> Org:
    """Move an org (and its whole subtree) under another parent within the actor's scope."""
    _require(actor, "orgs.manage", org)
    if org.parent_id is None:
        raise InvalidInput.one("parent", _("根组织不能移动"))
    if actor.org_id == org.pk:
        raise InvalidInput.one("org", _("不能移动自己所在的组织"))
    new_parent = _parent_for(actor, parent)
    _require(actor, "orgs.manage", new_parent)
    org = Org.objects.select_for_update().get(pk=org.pk)
    if new_parent.path.startswith(org.path):
        raise InvalidInput.one("parent", _("不能把组织移到它自己或它的下级组织之下"))
    if new_parent.pk == org.parent_id:
        return org
    _check_kind(org.kind, new_parent)
    old_parent = org.parent
    old_path, new_path = org.path, f"{new_parent.path}{org.pk}/"
    delta = new_parent.depth + 1 - org.depth
    # One statement rewrites the path prefix of the whole subtree.
    from django.db.models import F

    Org.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    audit.record(
        actor=actor,
        action="org.move",
        object_type="org",
        object_id=org.code,
        object_org=org,
        object_repr=org.name,
        changes={
            "parent": {"before": old_parent.code if old_parent else None, "after": new_parent.code}
        },
    )
    return org


@transaction.atomic
def org_deactivate(*, actor: Any, org: Org, reason: str = "") -> Org:
    """Deactivate (撤销) an org; refused while it has active children or active records."""
    _require(actor, "orgs.manage", org)
    org = Org.objects.select_for_update().get(pk=org.pk)
    if not org.active:
        raise Conflict(_("该组织已撤销"))
    if org.parent_id is None or actor.org_id == org.pk:
        raise Conflict(_("不能撤销根组织或自己所在的组织"))
    blockers = []
    children = org.children.filter(active=True).count()
    if children:
        blockers.append(_("%(n)d 个下级组织") % {"n": children})
    users = org.users.filter(is_active=True).count()
    if users:
        blockers.append(_("%(n)d 个有效账号") % {"n": users})
    for blocker in hooks.org_blockers:
        count, label = blocker(org)
        if count:
            blockers.append(f"{count} {label}")
    if blockers:
        raise Conflict(
            _("该组织仍有%(what)s，请先转移后再撤销") % {"what": "、".join(blockers)},
            blockers=blockers,
        )
    org.active = False
    org.save(update_fields=["active", "updated_at"])
    audit.record(
        actor=actor,
        action="org.deactivate",
        object_type="org",
        object_id=org.code,
        object_org=org,
        object_repr=org.name,
        changes={"active": {"before": True, "after": False}},
        note=reason,
    )
    return org


@transaction.atomic
def org_reactivate(*, actor: Any, org: Org) -> Org:
    _require(actor, "orgs.manage", org)
    org = Org.objects.select_for_update().get(pk=org.pk)
    if org.active:
        raise Conflict(_("该组织本就有效"))
    if org.parent and not org.parent.active:
        raise Conflict(_("上级组织已撤销，不能恢复"))
    org.active = True
    org.save(update_fields=["active", "updated_at"])
    audit.record(
        actor=actor,
        action="org.reactivate",
        object_type="org",
        object_id=org.code,
        object_org=org,
        object_repr=org.name,
        changes={"active": {"before": False, "after": True}},
    )
    return org


ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "unit_category",
    "industry",
    "size_class",
    "address",
    "headcount",
)


@transaction.atomic
def enterprise_save(
    *,
    actor: Any,
    enterprise: Enterprise | None = None,
    county: str,
    union: str | None = None,
    **data: Any,
) -> Enterprise:
    """Create or update an enterprise; ``county`` and ``union`` are org codes in scope."""
    county_org = _parent_for(actor, county, field="county")
    if county_org.kind not in ("county", "city"):
        raise InvalidInput.one("county", _("所在县区应为县区总工会"))
    _require(actor, "orgs.manage", county_org)
    union_org = _parent_for(actor, union, field="union") if union else None
    if union_org and union_org.kind != "grassroots":
        raise InvalidInput.one("union", _("所属工会应为基层工会"))
    fields = {k: v for k, v in data.items() if k in ENTERPRISE_FIELDS}
    fields["name"] = (fields.get("name") or (enterprise.name if enterprise else "")).strip()
    if not fields["name"]:
        raise InvalidInput.one("name", _("单位名称不能为空"))
    if fields.get("uscc"):
        try:
            fields["uscc"] = validate_uscc(fields["uscc"])
        except ValidationError as exc:
            raise InvalidInput.one("uscc", exc.messages[0]) from exc
        clash = Enterprise.objects.filter(uscc=fields["uscc"])
        if enterprise:
            clash = clash.exclude(pk=enterprise.pk)
        if clash.exists():
            raise InvalidInput.one("uscc", _("统一社会信用代码已被其他单位使用"))
    if enterprise is None:
        enterprise = Enterprise(county=county_org, union=union_org, **fields)
        try:
            enterprise.full_clean()
        except ValidationError as exc:
            raise InvalidInput.from_validation_error(exc) from exc
        enterprise.save()
        action, before = "enterprise.create", {}
    else:
        before = audit.snapshot(enterprise)
        for key, value in fields.items():
            setattr(enterprise, key, value)
        enterprise.county, enterprise.union = county_org, union_org
        try:
            enterprise.full_clean()
        except ValidationError as exc:
            raise InvalidInput.from_validation_error(exc) from exc
        enterprise.save()
        action = "enterprise.update"
    audit.record(
        actor=actor,
        action=action,
        object_type="enterprise",
        object_id=enterprise.pk,
        object_org=county_org,
        object_repr=enterprise.name,
        changes=audit.diff(before, audit.snapshot(enterprise)),
    )
    return enterprise
