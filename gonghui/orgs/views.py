"""Pages of the union tree: the tree, search, an org's page and its write actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import Conflict, ServiceError
from gonghui.core.roles import can
from gonghui.core.web import audit_search, form_errors, staff_page

from . import services
from .forms import OrgCreateForm, OrgDeactivateForm, OrgForm, OrgMoveForm, OrgSearchForm
from .models import ALLOWED_CHILDREN, Org
from .selectors import access_org, enterprises_visible_to, org_children, org_counts, org_search

SEARCH_LIMIT = 50


def _manageable(user: Any, code: str) -> Org:
    """The org, if in scope (else 404) and the user may manage it (else 403)."""
    org = access_org(user, code)
    if not can(user, "orgs.manage", org):
        raise PermissionDenied(_("当前角色无权执行此操作"))
    return org


def _search(user: Any, form: OrgSearchForm) -> dict[str, Any] | None:
    if not form.is_valid() or not (form.cleaned_data["q"] or form.cleaned_data["kind"]):
        return None
    qs = org_search(user, q=form.cleaned_data["q"], kind=form.cleaned_data["kind"])
    return {"results": list(qs[:SEARCH_LIMIT]), "count": qs.count(), "limit": SEARCH_LIMIT}


@staff_page("orgs.view")
def tree(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.org is None:
        raise Http404()
    root = access_org(user, user.org.code)
    form = OrgSearchForm(request.GET)
    return render(
        request,
        "orgs/tree.html",
        {
            "root": root,
            "children": org_children(user, root),
            "form": form,
            "search": _search(user, form),
        },
    )


@require_GET
@staff_page("orgs.view")
def children(request: HttpRequest, code: str) -> HttpResponse:
    org = access_org(request.user, code)
    return render(request, "orgs/_children.html", {"children": org_children(request.user, org)})


@require_GET
@staff_page("orgs.view")
def search(request: HttpRequest) -> HttpResponse:
    """Live results for the tree's search box; ``format=options`` feeds a <datalist>."""
    data = request.GET.copy()
    if "q" not in data and "parent" in data:  # the move form's parent box asks as itself
        data["q"] = request.GET.get("parent", "")
    form = OrgSearchForm(data)
    if request.GET.get("format") == "options":
        found = _search(request.user, form)
        results = [o for o in found["results"] if o.active] if found else []
        return render(request, "orgs/_options.html", {"results": results})
    return render(request, "orgs/_search_results.html", {"search": _search(request.user, form)})


@staff_page("orgs.view")
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    org = access_org(user, code)
    # Breadcrumbs stop at the user's home org: nothing above it is theirs to see.
    ancestors = org.ancestors().filter(depth__gte=user.org.depth) if user.org else []
    enterprises = enterprises_visible_to(user).filter(union=org)
    context = {
        "org": org,
        "ancestors": ancestors,
        "counts": org_counts(org),
        "children": org_children(user, org),
        "enterprises": enterprises[:100],
        "enterprise_count": enterprises.count(),
        "can_manage": can(user, "orgs.manage", org),
        "can_add_child": can(user, "orgs.manage", org)
        and bool(ALLOWED_CHILDREN[org.kind])
        and org.active,
        "recent": audit_search(user).filter(object_org=org)[:10]
        if can(user, "audit.view")
        else None,
    }
    return render(request, "orgs/detail.html", context)


@staff_page("orgs.view")
def create(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    parent = _manageable(user, code)
    form = OrgCreateForm(parent, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            org = services.org_create(actor=user, parent=parent.code, **data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已创建：%(name)s") % {"name": org.name})
            return redirect("orgs:detail", code=org.code)
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "org": parent,
            "title": _("新建下级组织"),
            "parent": parent,
        },
    )


@staff_page("orgs.view")
def edit(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    org = _manageable(user, code)
    form = OrgForm.for_org(org, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=user, org=org, data=form.cleaned_data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("orgs:detail", code=org.code)
    return render(request, "orgs/form.html", {"form": form, "org": org, "title": _("编辑组织")})


@staff_page("orgs.view")
def move(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    org = _manageable(user, code)
    form = OrgMoveForm(
        request.POST or None, initial={"parent": org.parent.code if org.parent else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.org_move(actor=user, org=org, parent=form.cleaned_data["parent"])
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已移动"))
            return redirect("orgs:detail", code=org.code)
    return render(request, "orgs/move.html", {"form": form, "org": org})


@staff_page("orgs.view")
def deactivate(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    org = _manageable(user, code)
    form = OrgDeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_deactivate(actor=user, org=org, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已撤销"))
            return redirect("orgs:detail", code=org.code)
    return render(request, "orgs/deactivate.html", {"form": form, "org": org})


@require_POST
@staff_page("orgs.view")
def reactivate(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    org = _manageable(user, code)
    try:
        services.org_reactivate(actor=user, org=org)
    except Conflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已恢复"))
    return redirect("orgs:detail", code=org.code)
