"""What every web page shares: who may open it, and service outcomes turned into answers.

- ``staff_page(perm)``: login required; a member, or a staff role without ``perm``, gets the
  same 404 as a missing page (no page tells a member what staff pages exist). ``NotFound``
  from a selector or service becomes 404, ``Forbidden`` 403.
- ``form_errors(form, exc)``: an ``InvalidInput`` or ``Conflict`` from a service shown on the
  form, each message next to the field it names (or above the form when it names none).
- ``form_submitted(request, form, save, message)``: the create-or-edit step every form page
  repeats — on a valid POST, the service; its refusal on the form; on success the message and
  a redirect to the record.
- ``audit_search``: the scoped read behind the audit page and the recent-rows panels.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import IO, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect

from .errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from .models import AuditEntry, ImportJob
from .roles import Role, role_can

View = Callable[..., HttpResponse]


def staff_page(perm: str = "") -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user: Any = request.user
            if user.role == Role.MEMBER or (perm and not role_can(user.role, perm)):
                raise Http404()
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404() from exc
            except Forbidden as exc:
                raise PermissionDenied(exc.detail) from exc

        return login_required(wrapped)

    return decorate


def form_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Put a service's refusal on ``form``: by field where it names one the form has."""
    if isinstance(exc, InvalidInput):
        for err in exc.errors:
            field = err.get("field") or None
            form.add_error(field if field in form.fields else None, err["message"])
    elif isinstance(exc, Conflict):
        form.add_error(None, exc.detail)
    else:
        raise exc


def form_submitted(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    message: str,
    *,
    allowed: bool = True,
    then: str | None = None,
) -> HttpResponse | None:
    """On a POST of a valid ``form`` by someone ``allowed`` to send it: ``save`` the cleaned
    data through the service. A refusal goes onto the form (``None``: the page shows the form
    again); success flashes ``message`` and redirects to ``then`` or to what ``save``
    returned. ``None`` too for a GET, an invalid form or someone not allowed."""
    if request.method != "POST" or not allowed or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ServiceError as exc:
        form_errors(form, exc)
        return None
    messages.success(request, message)
    return redirect(then or saved.get_absolute_url())


def audit_search(
    user: Any,
    *,
    object_type: str = "",
    object_id: str = "",
    org: str = "",
    actor: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit rows of the user's subtree (by the changed record's org), newest first; ``org``
    (a code) narrows them to that org's subtree."""
    if not role_can(getattr(user, "role", ""), "audit.view"):
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.visible_to(user).select_related("org", "object_org", "actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if org:
        qs = qs.filter(object_org__path__startswith=_org_path(org))
    if actor:
        qs = qs.filter(actor_name=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def _org_path(code: str) -> str:
    from django.apps import apps

    path = apps.get_model("orgs", "Org").objects.filter(code=code).values_list("path", flat=True)
    return path.first() or "\0"  # an unknown org: nothing


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- files to download -----------------------------------------------------------------------


def download(response: HttpResponse | StreamingHttpResponse, name: str) -> HttpResponse:
    """A file to save, not to show, and not to keep in any cache on the way."""
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)  # staff_page types views as HttpResponse


def spreadsheet_download(
    fmt: str, sheet_name: str, header: list[str], rows: Iterable[Iterable[Any]], name: str
) -> HttpResponse:
    """A list to download: CSV streamed as its rows are read; XLSX written with constant
    memory to a temporary file, then sent (only the finished file is held, once)."""
    from .spreadsheets import XLSX_TYPE, rows_to_csv, write_rows

    if fmt == "csv":
        stream = StreamingHttpResponse(
            rows_to_csv(header, rows), content_type="text/csv; charset=utf-8"
        )
        return download(stream, name)
    with tempfile.TemporaryFile() as file:
        write_rows(file, sheet_name, header, rows)
        file.seek(0)
        return download(HttpResponse(file.read(), content_type=XLSX_TYPE), name)


def workbook_download(write: Callable[[IO[bytes]], None], name: str) -> HttpResponse:
    """The XLSX that ``write`` writes into a buffer (a template, a small workbook)."""
    from .spreadsheets import XLSX_TYPE

    buffer = io.BytesIO()
    write(buffer)
    return download(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), name)


def rejected_rows_download(job: ImportJob, fallback: str) -> HttpResponse:
    """An import job's rejected rows (its errors file) as ``<upload>-未导入.xlsx``; 404 when
    the job has none."""
    from .spreadsheets import XLSX_TYPE

    if not job.errors_file or not Path(job.errors_file).exists():
        raise Http404()
    stem = Path(job.file_name).stem or fallback
    response = FileResponse(
        Path(job.errors_file).open("rb"),  # noqa: SIM115 - FileResponse closes it when sent
        as_attachment=True,
        filename=f"{stem}-未导入.xlsx",
        content_type=XLSX_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)


# kinds a browser may show inline (a preview): documents that run no script, and pictures
PREVIEW_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
}


def stored_file_response(item: Any, *, preview: bool = False) -> HttpResponse:
    """A kept file (``core.StoredFile``) sent to the user who may open it (the caller has
    checked that). ``preview`` shows a PDF or a picture in the browser — with its type
    from the first bytes, never sniffed again (``nosniff``), in a sandbox that runs no
    script — anything else is always a download. 404 once purged."""
    from urllib.parse import quote

    try:
        handle = item.open()
    except FileNotFoundError as exc:  # past its retention
        raise Http404() from exc
    inline = preview and item.kind in PREVIEW_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=item.name,
        content_type=PREVIEW_TYPES.get(item.kind, "application/octet-stream"),
    )
    if inline:
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(item.name)}"
        # a PDF is drawn by the browser's own viewer, which a sandbox without scripts would
        # refuse; pictures get the strict sandbox
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"
            if item.kind == "pdf"
            else "default-src 'none'; img-src 'self'; sandbox"
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)
