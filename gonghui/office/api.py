"""API of the office (``/api/v1/office``): documents and their steps, distribution and
receipts, notices, data calls and submissions, supervised tasks and meetings. Scoped like the
pages: a record outside the caller's reach answers 404 like a missing one; an illegal step
answers 409 naming the allowed ones; bad rows answer 422 naming each row."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from annotated_types import MaxLen
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import AfterValidator

from gonghui.core.api import BoundedText, InputSchema, Page, PageParams, no_nul, paginate
from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.roles import can
from gonghui.orgs.models import Org

from . import selectors, services, workflow
from .models import Call, Document, Meeting, Notice, Receipt, Submission, Task

router = Router(tags=["office"])


def _view(user: Any) -> None:
    if not can(user, "office.view"):
        raise Forbidden(_("当前角色无权使用综合办公"))


def _orgs(user: Any, codes: list[str]) -> list[Org]:
    orgs = list(Org.objects.filter(code__in=codes, path__startswith=user.org.path))
    if len(orgs) != len(set(codes)):
        raise NotFound()
    return orgs


# --- schemas --------------------------------------------------------------------------------


class DocumentIn(InputSchema):
    bounds = (Document,)
    title: str
    doc_type: str = Field(..., description="notice/decision/opinion/letter/minutes")
    urgency: str = Field("normal", description="normal/urgent/extra")
    security: str = Field("public", description="public/internal")
    body: str = ""
    sign_by: datetime.date | None = None


class DocumentOut(Schema):
    id: int
    org: str
    org_name: str
    title: str
    doc_type: str
    urgency: str
    security: str
    status: str
    step: int
    number: str
    issued_on: datetime.date | None
    sent_on: datetime.date | None

    @staticmethod
    def resolve_org(obj: Document) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Document) -> str:
        return obj.org.name


class DocumentDetail(DocumentOut):
    body: str
    actions: list[str] = Field(..., description="调用者现在可执行的步骤")


class StepIn(InputSchema):
    reason: str = Field("", max_length=500)


class DistributeIn(InputSchema):
    orgs: list[str] = Field(default_factory=list, max_length=5000, description="收文单位代码")
    kinds: list[str] = Field(
        default_factory=list, max_length=6, description="按层级：county/township/park/…"
    )
    subtree: bool = False


class CountOut(Schema):
    count: int


class ReceiptOut(Schema):
    id: int
    document: int
    title: str
    number: str
    org: str
    org_name: str
    signed_at: datetime.datetime | None
    reminders: int

    @staticmethod
    def resolve_document(obj: Receipt) -> int:
        return obj.document_id

    @staticmethod
    def resolve_title(obj: Receipt) -> str:
        return obj.document.title

    @staticmethod
    def resolve_number(obj: Receipt) -> str:
        return obj.document.number

    @staticmethod
    def resolve_org(obj: Receipt) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Receipt) -> str:
        return obj.org.name


class NoticeIn(InputSchema):
    bounds = (Notice,)
    title: str
    body: str
    audience: str = Field("tree", description="tree/members")


class NoticeOut(Schema):
    id: int
    org: str
    title: str
    body: str
    audience: str
    published_on: datetime.date
    reads: int

    @staticmethod
    def resolve_org(obj: Notice) -> str:
        return obj.org.code

    @staticmethod
    def resolve_reads(obj: Notice) -> int:
        return getattr(obj, "read_count", 0)


class ColumnIn(InputSchema):
    label: str = Field(..., max_length=40)
    type: str = Field("text", description="text/int/decimal/date")
    required: bool = False
    metric: str = Field("", max_length=80, description="预填的统计指标")


class CallIn(InputSchema):
    bounds = (Call,)
    title: str
    instructions: str = ""
    deadline: datetime.date
    columns: list[ColumnIn] = Field(..., min_length=1, max_length=40)
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    orgs: list[str] = Field(default_factory=list, max_length=5000)
    kinds: list[str] = Field(default_factory=list, max_length=6)


class CallOut(Schema):
    id: int
    org: str
    parent: int | None
    title: str
    deadline: datetime.date
    status: str
    columns: list[dict[str, Any]]

    @staticmethod
    def resolve_org(obj: Call) -> str:
        return obj.org.code

    @staticmethod
    def resolve_parent(obj: Call) -> int | None:
        return obj.parent_id


class SubmissionOut(Schema):
    id: int
    call: int
    title: str
    org: str
    status: str
    submitted_at: datetime.datetime | None
    late: bool
    reminders: int

    @staticmethod
    def resolve_call(obj: Submission) -> int:
        return obj.call_id

    @staticmethod
    def resolve_title(obj: Submission) -> str:
        return obj.call.title

    @staticmethod
    def resolve_org(obj: Submission) -> str:
        return obj.org.code


class RowsIn(InputSchema):
    rows: list[dict[str, Any]] = Field(
        ..., min_length=1, max_length=5000, description="每行以列名或列键（c1…）为键"
    )


class PassDownIn(InputSchema):
    orgs: list[str] = Field(default_factory=list, max_length=5000)
    kinds: list[str] = Field(default_factory=list, max_length=6)
    deadline: datetime.date | None = None


class TaskIn(InputSchema):
    bounds = (Task,)
    title: str
    owner: str = Field(..., description="承办单位代码")
    workdays: int = Field(..., ge=1, le=250)
    detail: str = ""
    assigned_on: datetime.date | None = None


class TaskOut(Schema):
    id: int
    org: str
    owner: str
    title: str
    assigned_on: datetime.date
    workdays: int
    due_on: datetime.date
    status: str
    card: str
    closed_on: datetime.date | None

    @staticmethod
    def resolve_org(obj: Task) -> str:
        return obj.org.code

    @staticmethod
    def resolve_owner(obj: Task) -> str:
        return obj.owner.code


class ProgressIn(InputSchema):
    text: str = Field(..., max_length=2000)
    percent: int = Field(..., ge=0, le=100)


class MeetingIn(InputSchema):
    bounds = (Meeting,)
    title: str
    starts_at: datetime.datetime
    place: str = ""
    agenda: str = ""
    orgs: list[str] = Field(default_factory=list, max_length=5000)


class MeetingOut(Schema):
    id: int
    org: str
    title: str
    starts_at: datetime.datetime
    place: str
    agenda: str

    @staticmethod
    def resolve_org(obj: Meeting) -> str:
        return obj.org.code


class AttendeeOut(Schema):
    signed_up_at: datetime.datetime | None
    checked_in_at: datetime.datetime | None


# --- documents ------------------------------------------------------------------------------


def _document(user: Any, document_id: int) -> Document:
    _view(user)
    return selectors.access_document(user, document_id)


def _detail(user: Any, doc: Document) -> Document:
    flow = workflow.for_type(doc.doc_type)
    here = workflow.current_state(doc.status, doc.step)
    doc.actions = (  # type: ignore[attr-defined]
        [t.name for t in flow.allowed(here, user.role)] if user.org_id == doc.org_id else []
    )
    return doc


@router.get("/documents", response=Page[DocumentOut], summary="本单位及下级的发文")
def document_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    _view(request.user)
    return paginate(selectors.outgoing(request.user).order_by("-created_at", "-id"), params)


@router.post("/documents", response={201: DocumentDetail}, summary="拟稿")
def document_new(request: HttpRequest, payload: DocumentIn) -> tuple[int, Document]:
    user = request.user
    _view(user)
    doc = services.document_create(actor=user, data=payload.dict())
    return 201, _detail(user, _document(user, doc.pk))


@router.get("/documents/{document_id}", response=DocumentDetail, summary="公文详情")
def document_get(request: HttpRequest, document_id: int) -> Document:
    return _detail(request.user, _document(request.user, document_id))


@router.post(
    "/documents/{document_id}/steps/{action}", response=DocumentDetail, summary="办理审批步骤"
)
def document_step(request: HttpRequest, document_id: int, action: str, payload: StepIn) -> Document:
    """``action``: submit, pass1 … passN (the type's chain), return (with ``reason``)."""
    user = request.user
    doc = _document(user, document_id)
    doc = services.document_act(actor=user, document=doc, action=action, data=payload.dict())
    return _detail(user, _document(user, doc.pk))


@router.post("/documents/{document_id}/distribute", response=CountOut, summary="分发")
def document_distribute(
    request: HttpRequest, document_id: int, payload: DistributeIn
) -> dict[str, int]:
    user = request.user
    doc = _document(user, document_id)
    count = services.document_distribute(
        actor=user,
        document=doc,
        orgs=_orgs(user, payload.orgs),
        kinds=payload.kinds,
        subtree=payload.subtree,
    )
    return {"count": count}


@router.get(
    "/documents/{document_id}/receipts", response=list[ReceiptOut], summary="签收情况（发文单位）"
)
def document_receipts(request: HttpRequest, document_id: int) -> Any:
    user = request.user
    doc = _document(user, document_id)
    receipts = selectors.receipts_of(user, doc)
    if receipts is None:
        raise NotFound()
    return list(receipts.select_related("document", "org"))


@router.post("/documents/{document_id}/remind", response=CountOut, summary="催办未签收单位")
def document_remind(request: HttpRequest, document_id: int) -> dict[str, int]:
    user = request.user
    doc = _document(user, document_id)
    return {"count": services.receipts_remind(actor=user, document=doc)}


@router.get("/receipts", response=Page[ReceiptOut], summary="本单位收到的公文")
def receipt_list(
    request: HttpRequest, params: Query[PageParams], unsigned: bool = False
) -> dict[str, Any]:
    user = request.user
    _view(user)
    qs = selectors.unsigned(user) if unsigned else selectors.received(user)
    return paginate(qs.select_related("org"), params)


@router.post("/receipts/{receipt_id}/sign", response=ReceiptOut, summary="签收")
def receipt_sign(request: HttpRequest, receipt_id: int) -> Receipt:
    user = request.user
    _view(user)
    receipt = selectors.received(user).filter(pk=receipt_id).select_related("org").first()
    if receipt is None:
        raise NotFound()
    services.receipt_sign(actor=user, receipt=receipt)
    return selectors.received(user).select_related("org").get(pk=receipt_id)


# --- notices --------------------------------------------------------------------------------


@router.get("/notices", response=Page[NoticeOut], summary="通知公告")
def notice_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    _view(request.user)
    return paginate(selectors.notices_for(request.user), params)


@router.post("/notices", response={201: NoticeOut}, summary="发布通知公告")
def notice_new(request: HttpRequest, payload: NoticeIn) -> tuple[int, Notice]:
    user = request.user
    _view(user)
    notice = services.notice_publish(actor=user, data=payload.dict())
    return 201, selectors.access_notice(user, notice.pk)


@router.get("/notices/{notice_id}", response=NoticeOut, summary="通知公告详情（计为已读）")
def notice_get(request: HttpRequest, notice_id: int) -> Notice:
    user = request.user
    _view(user)
    notice = selectors.access_notice(user, notice_id)
    services.notice_read(user=user, notice=notice)
    return selectors.access_notice(user, notice_id)


# --- calls ----------------------------------------------------------------------------------


@router.get("/calls", response=Page[CallOut], summary="本单位及下级发起的信息报送")
def call_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    _view(request.user)
    return paginate(selectors.calls_for(request.user), params)


@router.post("/calls", response={201: CallOut}, summary="发起信息报送")
def call_new(request: HttpRequest, payload: CallIn) -> tuple[int, Call]:
    user = request.user
    _view(user)
    data = payload.dict()
    orgs = _orgs(user, data.pop("orgs"))
    kinds = data.pop("kinds")
    call = services.call_create(actor=user, data=data, orgs=orgs, kinds=kinds)
    return 201, call


@router.get("/calls/{call_id}", response=CallOut, summary="信息报送详情")
def call_get(request: HttpRequest, call_id: int) -> Call:
    _view(request.user)
    return selectors.access_call(request.user, call_id)


@router.get("/calls/{call_id}/submissions", response=list[SubmissionOut], summary="各单位报送情况")
def call_submissions(request: HttpRequest, call_id: int) -> Any:
    _view(request.user)
    call = selectors.access_call(request.user, call_id)
    return list(call.submissions.select_related("call", "org"))


@router.post("/calls/{call_id}/remind", response=CountOut, summary="催报未报送单位")
def call_remind(request: HttpRequest, call_id: int) -> dict[str, int]:
    user = request.user
    _view(user)
    call = selectors.access_call(user, call_id)
    return {"count": services.submissions_remind(actor=user, call=call)}


@router.get("/submissions", response=Page[SubmissionOut], summary="本单位应报送的信息")
def submission_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    user: Any = request.user
    _view(user)
    qs = selectors.submissions_for(user).filter(org_id=user.org_id)
    return paginate(qs.order_by("status", "call__deadline", "id"), params)


def _submission(user: Any, submission_id: int) -> Submission:
    _view(user)
    return selectors.access_submission(user, submission_id)


@router.get("/submissions/{submission_id}", response=SubmissionOut, summary="报送详情")
def submission_get(request: HttpRequest, submission_id: int) -> Submission:
    return _submission(request.user, submission_id)


@router.post("/submissions/{submission_id}/rows", response=CountOut, summary="在线填报")
def submission_rows(request: HttpRequest, submission_id: int, payload: RowsIn) -> dict[str, int]:
    user = request.user
    sub = _submission(user, submission_id)
    return {"count": services.submission_fill(actor=user, submission=sub, rows=payload.rows)}


@router.post("/submissions/{submission_id}/upload", response=CountOut, summary="上传填好的表格")
def submission_upload(
    request: HttpRequest, submission_id: int, file: File[UploadedFile]
) -> dict[str, int]:
    user = request.user
    sub = _submission(user, submission_id)
    return {"count": services.submission_upload(actor=user, submission=sub, upload=file)}


@router.post("/submissions/{submission_id}/pass-down", response=CallOut, summary="下发给下级")
def submission_pass(request: HttpRequest, submission_id: int, payload: PassDownIn) -> Call:
    user = request.user
    sub = _submission(user, submission_id)
    return services.call_pass_down(
        actor=user,
        submission=sub,
        orgs=_orgs(user, payload.orgs),
        kinds=payload.kinds,
        deadline=payload.deadline,
    )


@router.post("/submissions/{submission_id}/consolidate", response=CountOut, summary="汇总下级报送")
def submission_consolidate(request: HttpRequest, submission_id: int) -> dict[str, int]:
    user = request.user
    sub = _submission(user, submission_id)
    return {"count": services.submission_consolidate(actor=user, submission=sub)}


@router.post("/submissions/{submission_id}/submit", response=SubmissionOut, summary="报送")
def submission_submit(request: HttpRequest, submission_id: int) -> Submission:
    user = request.user
    sub = _submission(user, submission_id)
    services.submission_submit(actor=user, submission=sub)
    return _submission(user, submission_id)


# --- tasks ----------------------------------------------------------------------------------


@router.get("/tasks", response=Page[TaskOut], summary="督办事项")
def task_list(
    request: HttpRequest, params: Query[PageParams], status: BoundedText = ""
) -> dict[str, Any]:
    _view(request.user)
    qs = selectors.tasks_for(request.user)
    if status:
        qs = qs.filter(status=status[:10])
    return paginate(qs.order_by("due_on", "id"), params)


@router.post("/tasks", response={201: TaskOut}, summary="交办督办事项")
def task_new(request: HttpRequest, payload: TaskIn) -> tuple[int, Task]:
    user = request.user
    _view(user)
    data = payload.dict()
    owner = _orgs(user, [data.pop("owner")])[0]
    return 201, services.task_create(actor=user, owner=owner, data=data)


def _task(user: Any, task_id: int) -> Task:
    _view(user)
    return selectors.access_task(user, task_id)


@router.get("/tasks/{task_id}", response=TaskOut, summary="督办事项详情")
def task_get(request: HttpRequest, task_id: int) -> Task:
    return _task(request.user, task_id)


@router.post("/tasks/{task_id}/progress", response=TaskOut, summary="报告进展")
def task_progress(request: HttpRequest, task_id: int, payload: ProgressIn) -> Task:
    user = request.user
    task = _task(user, task_id)
    services.task_report(actor=user, task=task, text=payload.text, percent=payload.percent)
    return _task(user, task_id)


@router.post("/tasks/{task_id}/close", response=TaskOut, summary="办结（附佐证材料）")
def task_close(
    request: HttpRequest,
    task_id: int,
    evidence: File[UploadedFile],
    outcome: Form[Annotated[str, MaxLen(2000), AfterValidator(no_nul)]] = "",
) -> Task:
    user = request.user
    task = _task(user, task_id)
    services.task_close(actor=user, task=task, outcome=outcome[:2000], evidence=evidence)
    return _task(user, task_id)


# --- meetings -------------------------------------------------------------------------------


@router.get("/meetings", response=Page[MeetingOut], summary="会议通知")
def meeting_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    _view(request.user)
    return paginate(selectors.meetings_for(request.user), params)


@router.post("/meetings", response={201: MeetingOut}, summary="发出会议通知")
def meeting_new(request: HttpRequest, payload: MeetingIn) -> tuple[int, Meeting]:
    user = request.user
    _view(user)
    data = payload.dict()
    orgs = _orgs(user, data.pop("orgs"))
    return 201, services.meeting_create(actor=user, data=data, orgs=orgs)


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="会议详情")
def meeting_get(request: HttpRequest, meeting_id: int) -> Meeting:
    _view(request.user)
    return selectors.access_meeting(request.user, meeting_id)


@router.post("/meetings/{meeting_id}/signup", response=AttendeeOut, summary="报名参会")
def meeting_signup(request: HttpRequest, meeting_id: int) -> Any:
    user = request.user
    _view(user)
    meeting = selectors.access_meeting(user, meeting_id)
    return services.meeting_signup(actor=user, meeting=meeting)
