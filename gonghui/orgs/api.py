"""API of the union tree (``/orgs``) and of enterprises (``/enterprises``).

Reads go through ``selectors`` (scope: outside it answers 404 like a missing record), writes
through ``services`` (a leader or a clerk in scope gets 403; bad input 422 naming the field).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from gonghui.core.api import InputSchema, Page, PageParams, paginate
from gonghui.core.scope import access

from .models import Enterprise, Industry, Org, OrgKind, SizeClass, UnitCategory
from .selectors import access_org, enterprises_visible_to, org_children, org_counts, org_search
from .services import (
    enterprise_save,
    org_create,
    org_deactivate,
    org_move,
    org_reactivate,
    org_update,
)

router = Router(tags=["orgs"])
enterprises_router = Router(tags=["enterprises"])


# --- orgs -----------------------------------------------------------------------------


class OrgOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None = Field(None, description="上级组织代码")
    active: bool
    region_code: str
    uscc: str
    founded_on: datetime.date | None
    chair: str
    contact_name: str
    contact_phone: str
    address: str
    headcount: int
    depth: int

    @staticmethod
    def resolve_parent(obj: Org) -> str | None:
        return obj.parent.code if obj.parent is not None else None


class CountOut(Schema):
    label: str
    value: int


class OrgDetail(OrgOut):
    children: list[str] = Field(..., description="可见的下级组织代码")
    children_count: int
    counts: list[CountOut] = Field(..., description="下属组织与各模块的统计")

    # ``_detail`` puts these on the instance (``children`` itself is the reverse manager).
    @staticmethod
    def resolve_children(obj: Any) -> list[str]:
        return list(obj.child_codes)

    @staticmethod
    def resolve_children_count(obj: Any) -> int:
        return len(obj.child_codes)

    @staticmethod
    def resolve_counts(obj: Any) -> list[dict[str, Any]]:
        return list(obj.count_rows)


class OrgFilters(PageParams):
    q: str = Field("", description="名称、简称、代码前缀或统一社会信用代码")
    kind: OrgKind | None = None
    parent: str = Field("", description="上级组织代码")
    active: bool | None = None


class OrgFields(InputSchema):
    bounds = (Org,)

    model_config = ConfigDict(extra="forbid")

    short_name: str | None = None
    region_code: str | None = None
    uscc: str | None = Field(None, description="统一社会信用代码（GB 32100）")
    founded_on: datetime.date | None = None
    chair: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    address: str | None = None
    headcount: int | None = None


class OrgIn(OrgFields):
    code: str
    name: str
    kind: OrgKind
    parent: str = Field(..., description="上级组织代码")


class OrgPatch(OrgFields):
    name: str | None = None
    kind: OrgKind | None = None


class MoveIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    parent: str = Field(..., description="新的上级组织代码")


class DeactivateIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=500)


TEXT_FIELDS = (
    "short_name",
    "region_code",
    "uscc",
    "chair",
    "contact_name",
    "contact_phone",
    "address",
)


def _fields(payload: Schema) -> dict[str, Any]:
    """What the client sent, as the services take it: enums as their values, a null text
    as the empty string (the columns are NOT NULL)."""
    data = payload.dict(exclude_unset=True)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, OrgKind):
            value = value.value
        elif key in TEXT_FIELDS and value is None:
            value = ""
        out[key] = value
    return out


def _detail(request: HttpRequest, org: Org) -> Org:
    """The org with what its page shows besides its fields: the children the user may see
    and the figures of ``org_counts``."""
    org.child_codes = list(  # type: ignore[attr-defined]
        org_children(request.user, org).values_list("code", flat=True)
    )
    org.count_rows = [  # type: ignore[attr-defined]
        {"label": str(label), "value": n} for label, n in org_counts(org)
    ]
    return org


@router.get("", response=Page[OrgOut], summary="组织列表")
def org_list(request: HttpRequest, filters: Query[OrgFilters]) -> dict[str, Any]:
    qs = org_search(
        request.user,
        q=filters.q,
        kind=filters.kind.value if filters.kind else "",
        parent=filters.parent,
        active=filters.active,
    )
    return paginate(qs, filters)


@router.get("/{code}", response=OrgDetail, summary="组织详情")
def org_detail(request: HttpRequest, code: str) -> Org:
    return _detail(request, access_org(request.user, code))


@router.post("", response={201: OrgDetail}, summary="新建组织")
def org_new(request: HttpRequest, payload: OrgIn) -> Status[Org]:
    data = _fields(payload)
    code, parent = data.pop("code"), data.pop("parent")
    org = org_create(actor=request.user, code=code, parent=parent, **data)
    return Status(201, _detail(request, access_org(request.user, org.code)))


@router.patch("/{code}", response=OrgDetail, summary="修改组织")
def org_edit(request: HttpRequest, code: str, payload: OrgPatch) -> Org:
    org = access_org(request.user, code)
    org_update(actor=request.user, org=org, data=_fields(payload))
    return _detail(request, access_org(request.user, code))


@router.post("/{code}/move", response=OrgDetail, summary="调整上级组织")
def org_relocate(request: HttpRequest, code: str, payload: MoveIn) -> Org:
    org = access_org(request.user, code)
    org_move(actor=request.user, org=org, parent=payload.parent)
    return _detail(request, access_org(request.user, code))


@router.post("/{code}/deactivate", response=OrgDetail, summary="撤销组织")
def org_close(request: HttpRequest, code: str, payload: DeactivateIn | None = None) -> Org:
    org = access_org(request.user, code)
    org_deactivate(actor=request.user, org=org, reason=payload.reason if payload else "")
    return _detail(request, access_org(request.user, code))


@router.post("/{code}/reactivate", response=OrgDetail, summary="恢复组织")
def org_reopen(request: HttpRequest, code: str) -> Org:
    org = access_org(request.user, code)
    org_reactivate(actor=request.user, org=org)
    return _detail(request, access_org(request.user, code))


# --- enterprises ----------------------------------------------------------------------


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    unit_category: str
    industry: str
    size_class: str
    county: str = Field(..., description="所在县区总工会代码")
    union: str | None = Field(None, description="所属基层工会代码")
    address: str
    headcount: int

    @staticmethod
    def resolve_county(obj: Enterprise) -> str:
        return obj.county.code

    @staticmethod
    def resolve_union(obj: Enterprise) -> str | None:
        return obj.union.code if obj.union is not None else None


class EnterpriseFilters(PageParams):
    q: str = Field("", description="单位名称或统一社会信用代码")
    county: str = Field("", description="所在县区总工会代码")
    union: str = Field("", description="所属基层工会代码")


class EnterpriseFields(InputSchema):
    bounds = (Enterprise,)

    model_config = ConfigDict(extra="forbid")

    uscc: str | None = None
    unit_category: UnitCategory | None = None
    industry: Industry | None = None
    size_class: SizeClass | None = None
    address: str | None = None
    headcount: int | None = Field(None, ge=0)
    union: str | None = Field(None, description="所属基层工会代码")


class EnterpriseIn(EnterpriseFields):
    name: str
    county: str = Field(..., description="所在县区总工会代码")


class EnterprisePatch(EnterpriseFields):
    name: str | None = None
    county: str | None = None


def _enterprise_data(payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("unit_category", "industry", "size_class"):
            out[key] = value.value if value is not None else ""
        elif key in ("uscc", "address"):
            out[key] = value or ""
        elif key == "headcount":
            out[key] = value or 0
        else:
            out[key] = value
    return out


def _access_enterprise(request: HttpRequest, enterprise_id: int) -> Enterprise:
    return access(enterprises_visible_to(request.user), request.user, pk=enterprise_id)


@enterprises_router.get("", response=Page[EnterpriseOut], summary="单位列表")
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> dict[str, Any]:
    qs = enterprises_visible_to(request.user)
    q = filters.q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc=q.upper()))
    if filters.county:
        qs = qs.filter(county__code=filters.county)
    if filters.union:
        qs = qs.filter(union__code=filters.union)
    return paginate(qs.order_by("name", "id"), filters)


@enterprises_router.get("/{enterprise_id}", response=EnterpriseOut, summary="单位详情")
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> Enterprise:
    return _access_enterprise(request, enterprise_id)


@enterprises_router.post("", response={201: EnterpriseOut}, summary="新建单位")
def enterprise_new(request: HttpRequest, payload: EnterpriseIn) -> Status[Enterprise]:
    data = _enterprise_data(payload)
    county, union = data.pop("county"), data.pop("union", None)
    enterprise = enterprise_save(actor=request.user, county=county, union=union, **data)
    return Status(201, _access_enterprise(request, enterprise.pk))


@enterprises_router.patch("/{enterprise_id}", response=EnterpriseOut, summary="修改单位")
def enterprise_edit(
    request: HttpRequest, enterprise_id: int, payload: EnterprisePatch
) -> Enterprise:
    enterprise = _access_enterprise(request, enterprise_id)
    data = _enterprise_data(payload)
    county = data.pop("county", None) or enterprise.county.code
    union = (
        data.pop("union")
        if "union" in data
        else (enterprise.union.code if enterprise.union else None)
    )
    enterprise_save(actor=request.user, enterprise=enterprise, county=county, union=union, **data)
    return _access_enterprise(request, enterprise_id)
