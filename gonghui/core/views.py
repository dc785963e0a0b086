"""The shell's own pages: audit log, error pages (each role's home is ``gonghui.home``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit as audit_log
from . import pickers
from .roles import can
from .web import audit_search, spreadsheet_download, staff_page

AUDIT_PAGE_SIZE = 50


class AuditFilter(forms.Form):
    """The audit page's filters, all in words: record types and actions by their labels
    (``core.audit`` registries), the actor through the user picker."""

    object_type = forms.ChoiceField(label=gettext_lazy("对象类型"), required=False)
    org = pickers.PickerField("org", label=gettext_lazy("所属组织"), required=False)
    object_id = forms.CharField(label=gettext_lazy("对象编号"), required=False, max_length=64)
    actor = pickers.PickerField("user", label=gettext_lazy("操作人"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("操作"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = sorted(((k, audit_log.type_label(k)) for k in audit_log.TYPES), key=lambda c: c[1])
        self.fields["object_type"].choices = [("", _("全部"))] + types  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", _("全部"))] + audit_log.action_choices()  # type: ignore[attr-defined]
        pickers.bind_pickers(self, user)


@staff_page("audit.view")
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None, user=request.user)
    # each valid filter applies; one that is not (a mistyped date) is shown with its error
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        filters = form.cleaned_data
    rows = audit_search(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(rows, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit.html",
        {
            "form": form,
            "page": page,
            "can_export": can(request.user, "audit.export"),
            "query": request.GET.urlencode(),
        },
    )


AUDIT_EXPORT_MAX = 100_000


@staff_page("audit.export")
def audit_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The audit rows the filters select, in words, as XLSX or CSV (at most
    ``AUDIT_EXPORT_MAX`` rows, newest first): the audit administrator's copy for review.
    The export itself is an audit row, with its filters and row count."""
    from django.db import transaction

    if fmt not in ("xlsx", "csv"):
        raise Http404()
    form = AuditFilter(request.GET or None, user=request.user)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    rows = audit_search(request.user, **filters)
    # what the filters select now: the export's own row, written next, is not part of it
    newest = rows.values_list("id", flat=True).first()
    rows = rows.filter(id__lte=newest or 0)
    total = min(rows.count(), AUDIT_EXPORT_MAX)
    with transaction.atomic():
        audit_log.record(
            actor=request.user,
            action="audit.export",
            object_type="audit",
            object_id="*",
            object_org=request.user.org,  # type: ignore[union-attr]
            changes={"rows": {"before": None, "after": total}},
            note="；".join(f"{k}：{v}" for k, v in filters.items())[:500],
        )
    header = [
        _("时间"),
        _("操作人"),
        _("操作人所在组织"),
        _("操作"),
        _("对象类型"),
        _("对象"),
        _("变更"),
        _("说明"),
        _("来源地址"),
    ]

    def lines() -> Any:
        page = 2000
        for start in range(0, total, page):
            for d in audit_log.describe(rows[start : min(start + page, total)]):
                yield [
                    timezone.localtime(d.entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                    d.actor,
                    d.actor_org,
                    d.action,
                    d.object_type,
                    d.object,
                    "；".join(f"{c.label}：{c.before} → {c.after}" for c in d.changes),
                    d.entry.note,
                    d.entry.ip or "",
                ]

    return spreadsheet_download(fmt, _("审计日志"), header, lines(), f"audit.{fmt}")


@login_required
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    """The options of one picker matching ``q`` for this user, best first, as JSON
    ``{"items": [{"value", "label", "detail", "text"}]}`` (``static/js/pickers.js`` lists them
    under the box). Only what the user may see; an unknown kind is 404."""
    if kind not in pickers.PICKERS:
        raise Http404()
    q = request.GET.get("q", "").strip()[:100]
    options = pickers.get(kind).search(request.user, q, pickers.LIMIT)
    return JsonResponse({"items": [o.as_json() for o in options]})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)
