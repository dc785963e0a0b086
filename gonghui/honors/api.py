"""API of honours and competitions (``/api/v1/honors``).

- ``/awards``: the catalogue. ``/rounds``: selections, their allotments, workflow steps
  (``POST /rounds/{id}/steps/{step}``: open, close, vote, score, publish, name, cancel), the
  quota check of the live list, the nominations and the vote's count.
- ``/nominations/{id}``: one nominee, and its steps: select (pass up), withdraw, stop,
  vettings, scores, visits.
- ``POST /rounds/{id}/votes``: a member's vote (once per round: 409 the second time; 429 past
  the daily limit of one address).
- ``/honours``: the honour roll. ``/competitions``: labour competitions, units and scores.

A record outside the caller's scope answers 404 like a missing one; a step the caller's role
or org may not take answers 403; a step the state forbids 409.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from gonghui.core.api import BoundedText, InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden, InvalidInput, NotFound
from gonghui.core.roles import can, role_can
from gonghui.core.throttle import client_address
from gonghui.orgs.models import Org

from . import importing, selectors, services
from .models import (
    Award,
    Competition,
    CompetitionUnit,
    Honour,
    ModelWorker,
    Nomination,
    Round,
)

router = Router(tags=["honors"])


def _staff(request: HttpRequest, perm: str = "honors.view") -> Any:
    user: Any = request.user
    if not role_can(user.role, perm):
        raise Forbidden(_("无权访问评先评优"))
    return user


def _org(user: Any, code: str, field: str) -> Org:
    org = Org.objects.filter(code=code.strip()).first() if code.strip() else user.org
    if org is None or not can(user, "honors.view", org):
        raise InvalidInput.one(field, _("未找到该工会"))
    return org


# --- schemas ---------------------------------------------------------------------------------


class AwardOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    level: str
    description: str


class AwardIn(InputSchema):
    bounds = (Award,)

    code: str
    name: str
    kind: str = Field(..., description="collective / individual / team")
    level: str = Field(..., description="national / provincial / municipal / county")
    description: str = ""


class QuotaRuleIn(InputSchema):
    tag: str = Field(..., description="frontline / unit_head / woman / migrant / industrial ...")
    op: str = Field(..., description="min（不低于）/ max（不超过）")
    percent: Decimal = Field(..., ge=0, le=100, max_digits=5, decimal_places=2)


class CriterionIn(InputSchema):
    key: str = Field(..., max_length=32)
    label: str = Field("", max_length=50)
    max: Decimal = Field(..., gt=0, le=1000, max_digits=6, decimal_places=2)


class RoundIn(InputSchema):
    bounds = (Round,)

    award: str = Field(..., description="荣誉代码")
    org: str = Field("", description="主办组织代码，缺省为调用者所在单位")
    title: str
    year: int = Field(..., ge=2000, le=2100)
    places: int = Field(..., ge=1, le=100_000)
    opens_on: datetime.date
    closes_on: datetime.date
    criteria: str = ""
    quota_rules: list[QuotaRuleIn] = Field(default_factory=list, max_length=20)
    scoring: list[CriterionIn] = Field(default_factory=list, max_length=20)
    drop_extremes: bool = False
    vote_enabled: bool = False
    vote_daily_limit: int = Field(20, ge=1, le=100_000)
    results_live: bool = True
    notice_days: int = Field(5, ge=1, le=30)


class AllotmentOut(Schema):
    org: str
    org_name: str
    places: int
    used: int = 0

    @staticmethod
    def resolve_org(obj: Any) -> str:
        return str(obj.org.code)

    @staticmethod
    def resolve_org_name(obj: Any) -> str:
        return str(obj.org.name)


class RoundOut(Schema):
    id: int
    title: str
    award: str
    award_name: str
    kind: str
    org: str
    year: int
    places: int
    status: str
    status_label: str
    opens_on: datetime.date
    closes_on: datetime.date
    named_on: datetime.date | None
    vote_enabled: bool
    results_live: bool
    notice_days: int
    quota_rules: list[dict[str, Any]]
    scoring: list[dict[str, Any]]

    @staticmethod
    def resolve_award(obj: Round) -> str:
        return obj.award.code

    @staticmethod
    def resolve_award_name(obj: Round) -> str:
        return obj.award.name

    @staticmethod
    def resolve_org(obj: Round) -> str:
        return obj.org.code

    @staticmethod
    def resolve_status_label(obj: Round) -> str:
        return str(obj.get_status_display())


class RoundDetail(RoundOut):
    allotments: list[AllotmentOut]


class RoundFilters(PageParams):
    status: str = ""
    year: int | None = Field(None, ge=2000, le=2100)


class AllotIn(InputSchema):
    org: str = Field(..., description="下级组织代码")
    places: int = Field(..., ge=0, le=100_000)


class QuotaOut(Schema):
    rule: str
    total: int
    count: int
    bound: int
    off_by: int
    ok: bool
    message: str


class NominationOut(Schema):
    id: int
    round: int
    org: str
    org_name: str
    name: str
    team: str
    member: int | None
    enterprise: int | None
    tags: list[str]
    status: str
    status_label: str
    stop_reason: str
    nominated_on: datetime.date
    score: Decimal | None

    @staticmethod
    def resolve_round(obj: Nomination) -> int:
        return obj.round_id

    @staticmethod
    def resolve_org(obj: Nomination) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Nomination) -> str:
        return obj.org.name

    @staticmethod
    def resolve_member(obj: Nomination) -> int | None:
        return obj.member_id

    @staticmethod
    def resolve_enterprise(obj: Nomination) -> int | None:
        return obj.enterprise_id

    @staticmethod
    def resolve_status_label(obj: Nomination) -> str:
        return str(obj.get_status_display())


class VettingOut(Schema):
    body: str
    passed: bool
    reason: str


class NominationDetail(NominationOut):
    deeds: str
    vettings: list[VettingOut]
    notice: str = Field(..., description="公示结果：none/running/objected/failed/passed")


class NominationIn(InputSchema):
    bounds = (Nomination,)

    org: str = Field("", description="推荐单位代码，缺省为调用者所在单位")
    member: int | None = Field(None, ge=1, description="会员编号（个人荣誉）")
    enterprise: int | None = Field(None, ge=1, description="单位编号（集体、班组荣誉）")
    team: str = ""
    tags: list[str] = Field(default_factory=list, max_length=10)
    deeds: str = ""


class NominationFilters(PageParams):
    status: str = ""


class ReasonIn(InputSchema):
    reason: str = Field("", max_length=200)


class VettingIn(InputSchema):
    body: str = Field(..., description="market / tax / discipline / audit / safety")
    passed: bool
    reason: str = Field("", max_length=200)


class ScoreIn(InputSchema):
    marks: dict[str, Decimal] = Field(..., description="评分项代码 → 得分", max_length=20)


class VisitIn(InputSchema):
    visited_on: datetime.date
    note: str = Field(..., max_length=20_000)


class VoteIn(InputSchema):
    nomination: int = Field(..., ge=1)


class VoteOut(Schema):
    round: int
    nomination: int
    cast_at: datetime.datetime

    @staticmethod
    def resolve_round(obj: Any) -> int:
        return int(obj.round_id)

    @staticmethod
    def resolve_nomination(obj: Any) -> int:
        return int(obj.nomination_id)


class ResultRow(Schema):
    id: int
    name: str
    org: str
    votes: int
    flagged: int


class HonourOut(Schema):
    id: int
    certificate_no: str
    award: str
    award_name: str
    kind: str
    name: str
    org: str
    round: int
    member: int | None
    enterprise: int | None
    named_on: datetime.date

    @staticmethod
    def resolve_award(obj: Honour) -> str:
        return obj.award.code

    @staticmethod
    def resolve_award_name(obj: Honour) -> str:
        return obj.award.name

    @staticmethod
    def resolve_org(obj: Honour) -> str:
        return obj.org.code

    @staticmethod
    def resolve_round(obj: Honour) -> int:
        return obj.round_id

    @staticmethod
    def resolve_member(obj: Honour) -> int | None:
        return obj.member_id

    @staticmethod
    def resolve_enterprise(obj: Honour) -> int | None:
        return obj.enterprise_id


class HonourFilters(PageParams):
    award: str = Field("", max_length=32)
    year: int | None = Field(None, ge=2000, le=2100)


class UnitOut(Schema):
    id: int
    enterprise: int
    name: str
    team: str
    score: Decimal | None
    rank: int | None
    result: str

    @staticmethod
    def resolve_enterprise(obj: CompetitionUnit) -> int:
        return obj.enterprise_id


class CompetitionOut(Schema):
    id: int
    title: str
    project: str
    org: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    indicators: list[str]

    @staticmethod
    def resolve_org(obj: Competition) -> str:
        return obj.org.code


class CompetitionDetail(CompetitionOut):
    description: str
    units: list[UnitOut]


class CompetitionIn(InputSchema):
    bounds = (Competition,)

    org: str = Field("", description="主办组织代码，缺省为调用者所在单位")
    title: str
    project: str
    starts_on: datetime.date
    ends_on: datetime.date
    indicators: list[str] = Field(default_factory=list, max_length=20)
    description: str = ""


class UnitIn(InputSchema):
    enterprise: int = Field(..., ge=1)
    team: str = Field("", max_length=100)


class UnitScoreIn(InputSchema):
    score: Decimal = Field(..., ge=0, le=10000, max_digits=7, decimal_places=2)
    result: str = Field("", max_length=200)


# --- the catalogue and rounds -----------------------------------------------------------------


@router.get("/awards", response=Page[AwardOut], summary="荣誉目录")
def award_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    _staff(request)
    return paginate(selectors.awards(), params)


@router.post("/awards", response={201: AwardOut}, summary="新增或修改荣誉")
def award_save(request: HttpRequest, payload: AwardIn) -> Status[Award]:
    user = _staff(request, "honors.manage")
    return Status(201, services.award_save(actor=user, **payload.dict()))


@router.get("/rounds", response=Page[RoundOut], summary="评选列表")
def round_list(request: HttpRequest, filters: Query[RoundFilters]) -> dict[str, Any]:
    user = _staff(request)
    qs = selectors.rounds_visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(year=filters.year)
    return paginate(qs, filters)


@router.post("/rounds", response={201: RoundDetail}, summary="发起评选")
def round_new(request: HttpRequest, payload: RoundIn) -> Status[Any]:
    user = _staff(request, "honors.manage")
    data = payload.dict()
    award = Award.objects.filter(code=data.pop("award").strip()).first()
    if award is None:
        raise InvalidInput.one("award", _("荣誉目录中没有该荣誉"))
    org = _org(user, data.pop("org"), "org")
    round = services.round_create(actor=user, org=org, award=award, **data)
    return Status(201, _round_detail(user, round.pk))


def _round_detail(user: Any, pk: int) -> Round:
    round = selectors.access_round(user, pk)
    round.allotments_list = selectors.allotments(round)  # type: ignore[attr-defined]
    return round


class _RoundDetail(RoundDetail):
    @staticmethod
    def resolve_allotments(obj: Any) -> list[Any]:
        return list(obj.allotments_list)


@router.get("/rounds/{round_id}", response=_RoundDetail, summary="评选详情")
def round_detail(request: HttpRequest, round_id: int) -> Round:
    return _round_detail(_staff(request), round_id)


@router.post("/rounds/{round_id}/allotments", response=_RoundDetail, summary="分配名额")
def round_allot(request: HttpRequest, round_id: int, payload: AllotIn) -> Round:
    user = _staff(request)
    round = selectors.access_round(user, round_id)
    org = Org.objects.filter(code=payload.org.strip()).first()
    if org is None:
        raise InvalidInput.one("org", _("未找到该工会"))
    services.round_allot(actor=user, round=round, org=org, places=payload.places)
    return _round_detail(user, round.pk)


@router.post("/rounds/{round_id}/steps/{step}", response=_RoundDetail, summary="评选流程操作")
def round_step(request: HttpRequest, round_id: int, step: str) -> Round:
    user = _staff(request)
    round = selectors.access_round(user, round_id)
    services.round_step(actor=user, round=round, step=step[:20])
    return _round_detail(user, round.pk)


@router.get("/rounds/{round_id}/quotas", response=list[QuotaOut], summary="比例要求核对")
def round_quotas(
    request: HttpRequest, round_id: int, org: BoundedText = ""
) -> list[dict[str, Any]]:
    """The round's rules over the live list of ``org``'s subtree (default the caller's org;
    the whole round for the organising org)."""
    user = _staff(request)
    round = selectors.access_round(user, round_id)
    target = _org(user, org[:40], "org")
    return [
        {
            "rule": r.rule.label,
            "total": r.total,
            "count": r.count,
            "bound": r.bound,
            "off_by": r.off_by,
            "ok": r.ok,
            "message": r.message,
        }
        for r in services.quota_report(round, target)
    ]


@router.get("/rounds/{round_id}/nominations", response=Page[NominationOut], summary="推荐对象列表")
def nomination_list(
    request: HttpRequest, round_id: int, filters: Query[NominationFilters]
) -> dict[str, Any]:
    user = _staff(request)
    round = selectors.access_round(user, round_id)
    return paginate(selectors.round_nominations(user, round, filters.status), filters)


@router.post("/rounds/{round_id}/nominations", response={201: NominationOut}, summary="推荐")
def nomination_new(request: HttpRequest, round_id: int, payload: NominationIn) -> Status[Any]:
    from gonghui.members.selectors import members_visible_to

    user = _staff(request, "honors.nominate")
    round = selectors.access_round(user, round_id)
    org = _org(user, payload.org, "org")
    member = enterprise = None
    if payload.member is not None:
        member = members_visible_to(user).filter(pk=payload.member).first()
        if member is None:
            raise InvalidInput.one("member", _("未找到该会员"))
    if payload.enterprise is not None:
        enterprise = selectors.enterprises_for(user).filter(pk=payload.enterprise).first()
        if enterprise is None:
            raise InvalidInput.one("enterprise", _("未找到该单位"))
    nom = services.nomination_create(
        actor=user,
        round=round,
        org=org,
        member=member,
        enterprise=enterprise,
        team=payload.team,
        tags=payload.tags,
        deeds=payload.deeds,
    )
    return Status(201, selectors.access_nomination(user, nom.pk))


@router.get("/rounds/{round_id}/results", response=list[ResultRow], summary="网络投票计票")
def round_results(request: HttpRequest, round_id: int) -> list[dict[str, Any]]:
    """Votes per candidate, read off the candidates' counters (kept equal to the vote rows) at
    most once a second (``GONGHUI_RESULTS_REFRESH_SECONDS``) and never older than that.
    Members see it only where the round publishes it live."""
    user: Any = request.user
    round = selectors.access_round(user, round_id)
    if not selectors.results_visible(user, round):
        raise Forbidden(_("投票结果将在投票结束后公布"))
    return selectors.vote_counts_live(round)


@router.post("/rounds/{round_id}/votes", response={201: VoteOut}, summary="网络投票（会员）")
def vote(request: HttpRequest, round_id: int, payload: VoteIn) -> Status[Any]:
    user: Any = request.user
    if not role_can(user.role, "honors.vote"):
        raise Forbidden(_("只有会员可以投票"))
    member = selectors.member_of(user)  # once: the round's scope and the vote both need it
    round = selectors.access_round(user, round_id, member=member)
    cast = services.vote_cast(
        actor=user,
        round=round,
        nomination_id=payload.nomination,
        address=client_address(request),
        member=member,
    )
    return Status(201, cast)


class Rejection(Schema):
    row: int = Field(..., description="表格中的行号")
    reason: str


class ImportOut(Schema):
    rows: int
    imported: int
    rejected: list[Rejection]


@router.post(
    "/rounds/{round_id}/vettings/import", response=ImportOut, summary="导入征求意见（XLSX/CSV）"
)
def vettings_import(request: HttpRequest, round_id: int, file: File[UploadedFile]) -> Any:
    """Columns 编号, 征求意见单位, 意见 (无异议/有问题), 情况说明; each row answered."""
    user = _staff(request, "honors.manage")
    round = selectors.access_round(user, round_id)
    return importing.import_vettings(actor=user, round=round, upload=file).as_json()


@router.post(
    "/rounds/{round_id}/scores/import", response=ImportOut, summary="导入本人的专家评分（XLSX/CSV）"
)
def scores_import(request: HttpRequest, round_id: int, file: File[UploadedFile]) -> Any:
    """Columns 编号 and one per published criterion (by its name); each row answered."""
    user = _staff(request, "honors.score")
    round = selectors.access_round(user, round_id)
    return importing.import_scores(actor=user, round=round, upload=file).as_json()


# --- nominations ----------------------------------------------------------------------------


def _nomination_detail(user: Any, pk: int) -> Nomination:
    from gonghui.core import notices

    nom = selectors.access_nomination(user, pk)
    nom.vettings_list = list(nom.vettings.all())  # type: ignore[attr-defined]
    nom.notice = notices.outcome(nom)  # type: ignore[attr-defined]
    return nom


class _NominationDetail(NominationDetail):
    @staticmethod
    def resolve_vettings(obj: Any) -> list[Any]:
        return list(obj.vettings_list)


@router.get("/nominations/{nomination_id}", response=_NominationDetail, summary="推荐对象详情")
def nomination_detail(request: HttpRequest, nomination_id: int) -> Nomination:
    return _nomination_detail(_staff(request), nomination_id)


@router.post("/nominations/{nomination_id}/select", response=_NominationDetail, summary="审核上报")
def nomination_select(request: HttpRequest, nomination_id: int) -> Nomination:
    user = _staff(request)
    nom = selectors.access_nomination(user, nomination_id)
    services.nomination_select(actor=user, nomination=nom)
    return _nomination_detail(user, nom.pk)


@router.post(
    "/nominations/{nomination_id}/withdraw", response=_NominationDetail, summary="撤回推荐"
)
def nomination_withdraw(request: HttpRequest, nomination_id: int, payload: ReasonIn) -> Nomination:
    user = _staff(request)
    nom = selectors.access_nomination(user, nomination_id)
    services.nomination_withdraw(actor=user, nomination=nom, reason=payload.reason)
    return _nomination_detail(user, nom.pk)


@router.post("/nominations/{nomination_id}/stop", response=_NominationDetail, summary="终止推荐")
def nomination_stop(request: HttpRequest, nomination_id: int, payload: ReasonIn) -> Nomination:
    user = _staff(request)
    nom = selectors.access_nomination(user, nomination_id)
    services.nomination_stop(actor=user, nomination=nom, reason=payload.reason)
    return _nomination_detail(user, nom.pk)


@router.post(
    "/nominations/{nomination_id}/vettings", response=_NominationDetail, summary="登记征求意见"
)
def nomination_vet(request: HttpRequest, nomination_id: int, payload: VettingIn) -> Nomination:
    user = _staff(request)
    nom = selectors.access_nomination(user, nomination_id)
    services.vetting_record(
        actor=user, nomination=nom, body=payload.body, passed=payload.passed, reason=payload.reason
    )
    return _nomination_detail(user, nom.pk)


@router.post("/nominations/{nomination_id}/scores", response=_NominationDetail, summary="专家评分")
def nomination_score(request: HttpRequest, nomination_id: int, payload: ScoreIn) -> Nomination:
    user = _staff(request)
    nom = selectors.access_nomination(user, nomination_id)
    services.score_submit(actor=user, nomination=nom, marks=dict(payload.marks))
    return _nomination_detail(user, nom.pk)


@router.post(
    "/nominations/{nomination_id}/visits", response=_NominationDetail, summary="实地考察记录"
)
def nomination_visit(request: HttpRequest, nomination_id: int, payload: VisitIn) -> Nomination:
    user = _staff(request)
    nom = selectors.access_nomination(user, nomination_id)
    services.site_visit_record(
        actor=user, nomination=nom, visited_on=payload.visited_on, note=payload.note
    )
    return _nomination_detail(user, nom.pk)


# --- honours --------------------------------------------------------------------------------


@router.get("/honours", response=Page[HonourOut], summary="荣誉榜")
def honour_list(request: HttpRequest, filters: Query[HonourFilters]) -> dict[str, Any]:
    """Staff: the honours of their subtree; a member: their own."""
    qs = selectors.honours_visible_to(request.user)
    if filters.award:
        qs = qs.filter(award__code=filters.award)
    if filters.year:
        qs = qs.filter(named_on__year=filters.year)
    return paginate(qs, filters)


@router.get("/honours/{honour_id}", response=HonourOut, summary="荣誉详情")
def honour_detail(request: HttpRequest, honour_id: int) -> Honour:
    return selectors.access_honour(request.user, honour_id)


# --- competitions ---------------------------------------------------------------------------


@router.get("/competitions", response=Page[CompetitionOut], summary="劳动竞赛列表")
def competition_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    user = _staff(request)
    return paginate(selectors.competitions_visible_to(user), params)


def _competition_detail(user: Any, pk: int) -> Competition:
    comp = selectors.access_competition(user, pk)
    comp.units_list = list(comp.units.select_related("enterprise"))  # type: ignore[attr-defined]
    return comp


class _CompetitionDetail(CompetitionDetail):
    @staticmethod
    def resolve_units(obj: Any) -> list[Any]:
        return list(obj.units_list)


@router.post("/competitions", response={201: _CompetitionDetail}, summary="发起劳动竞赛")
def competition_new(request: HttpRequest, payload: CompetitionIn) -> Status[Any]:
    user = _staff(request, "honors.manage")
    data = payload.dict()
    org = _org(user, data.pop("org"), "org")
    comp = services.competition_create(actor=user, org=org, **data)
    return Status(201, _competition_detail(user, comp.pk))


@router.get("/competitions/{competition_id}", response=_CompetitionDetail, summary="劳动竞赛详情")
def competition_detail(request: HttpRequest, competition_id: int) -> Competition:
    return _competition_detail(_staff(request), competition_id)


@router.post(
    "/competitions/{competition_id}/steps/{step}",
    response=_CompetitionDetail,
    summary="竞赛开始/结束",
)
def competition_step(request: HttpRequest, competition_id: int, step: str) -> Competition:
    user = _staff(request)
    comp = selectors.access_competition(user, competition_id)
    services.competition_step(actor=user, competition=comp, step=step[:20])
    return _competition_detail(user, comp.pk)


@router.post(
    "/competitions/{competition_id}/units", response=_CompetitionDetail, summary="参赛单位报名"
)
def competition_join(request: HttpRequest, competition_id: int, payload: UnitIn) -> Competition:
    user = _staff(request)
    comp = selectors.access_competition(user, competition_id)
    enterprise = selectors.enterprises_for(user).filter(pk=payload.enterprise).first()
    if enterprise is None:
        raise InvalidInput.one("enterprise", _("未找到该单位"))
    services.competition_join(
        actor=user, competition=comp, enterprise=enterprise, team=payload.team
    )
    return _competition_detail(user, comp.pk)


@router.post(
    "/competitions/{competition_id}/units/{unit_id}/score",
    response=_CompetitionDetail,
    summary="登记竞赛成绩",
)
def competition_score(
    request: HttpRequest, competition_id: int, unit_id: int, payload: UnitScoreIn
) -> Competition:
    user = _staff(request)
    comp = selectors.access_competition(user, competition_id)
    unit = comp.units.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    services.competition_score(actor=user, unit=unit, score=payload.score, result=payload.result)
    return _competition_detail(user, comp.pk)


class PhaseOut(Schema):
    id: int
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    position: int


class PhaseIn(InputSchema):
    name: str = Field(..., max_length=50, description="阶段名称：启动、推进、决赛/总结 …")
    starts_on: datetime.date
    ends_on: datetime.date


class IndicatorOut(Schema):
    id: int
    name: str
    unit: str
    weight: Decimal
    max_score: Decimal
    position: int


class IndicatorIn(InputSchema):
    name: str = Field(..., max_length=50, description="指标名称：工程进度、安全生产 …")
    unit: str = Field("分", max_length=20, description="计量单位")
    weight: Decimal = Field(..., gt=0, le=1000, max_digits=6, decimal_places=2)
    max_score: Decimal = Field(..., gt=0, le=10000, max_digits=7, decimal_places=2)


class ScoreCell(Schema):
    unit: int
    indicator: int
    phase: int
    score: Decimal | None


class ScoreCellIn(InputSchema):
    unit: int = Field(..., ge=1)
    indicator: int = Field(..., ge=1)
    phase: int = Field(..., ge=1)
    score: Decimal | None = Field(
        ..., ge=0, le=10000, max_digits=7, decimal_places=2, description="null 清除该项得分"
    )


class ScoresIn(InputSchema):
    scores: list[ScoreCellIn] = Field(..., max_length=5000)


class ScoresOut(Schema):
    created: int
    updated: int
    unchanged: int
    cleared: int


class ScoreFilters(InputSchema):
    phase: int | None = Field(None, ge=1)


class RankPhase(Schema):
    phase: int
    total: Decimal | None


class RankOut(Schema):
    unit: int
    name: str
    enterprise: int
    team: str
    rank: int | None
    total: Decimal | None
    phases: list[RankPhase]


class RankingOut(Schema):
    phases: list[PhaseOut]
    indicators: list[IndicatorOut]
    rows: list[RankOut]


class CompetitionNominateIn(InputSchema):
    round: int = Field(..., ge=1, description="评选编号（推荐中，集体或班组荣誉）")
    units: list[int] = Field(default_factory=list, max_length=200, description="参赛单位编号")
    top: int | None = Field(None, ge=1, le=200, description="或：排名前几名")
    select: bool = Field(True, description="同时审核上报（占用名额）")


class NomineeImportOut(ImportOut):
    created: int = 0
    unchanged: int = 0
    quota: list[str] = Field(default_factory=list, description="导入后本单位名单的比例要求核对")


class ScoreImportOut(ImportOut):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@router.get("/competitions/{competition_id}/phases", response=list[PhaseOut], summary="竞赛阶段")
def competition_phases(request: HttpRequest, competition_id: int) -> Any:
    comp = selectors.access_competition(_staff(request), competition_id)
    return list(comp.phases.all())


@router.post(
    "/competitions/{competition_id}/phases",
    response={201: PhaseOut},
    summary="新增或修改竞赛阶段",
)
def competition_phase_save(
    request: HttpRequest, competition_id: int, payload: PhaseIn
) -> Status[Any]:
    user = _staff(request)
    comp = selectors.access_competition(user, competition_id)
    return Status(
        201, services.competition_phase_save(actor=user, competition=comp, **payload.dict())
    )


@router.get(
    "/competitions/{competition_id}/indicators", response=list[IndicatorOut], summary="竞赛指标"
)
def competition_indicators(request: HttpRequest, competition_id: int) -> Any:
    comp = selectors.access_competition(_staff(request), competition_id)
    return list(comp.indicator_rows.all())


@router.post(
    "/competitions/{competition_id}/indicators",
    response={201: IndicatorOut},
    summary="新增或修改竞赛指标",
)
def competition_indicator_save(
    request: HttpRequest, competition_id: int, payload: IndicatorIn
) -> Status[Any]:
    user = _staff(request)
    comp = selectors.access_competition(user, competition_id)
    return Status(
        201, services.competition_indicator_save(actor=user, competition=comp, **payload.dict())
    )


@router.get("/competitions/{competition_id}/scores", response=list[ScoreCell], summary="指标得分")
def competition_score_list(
    request: HttpRequest, competition_id: int, filters: Query[ScoreFilters]
) -> list[dict[str, Any]]:
    comp = selectors.access_competition(_staff(request), competition_id)
    cells = selectors.competition_ranking(comp).cells
    return [
        {"unit": unit, "indicator": indicator, "phase": phase, "score": score}
        for phase, marks in cells.items()
        if filters.phase in (None, phase)
        for (unit, indicator), score in sorted(marks.items())
    ]


@router.post(
    "/competitions/{competition_id}/scores", response=ScoresOut, summary="登记指标得分（整批）"
)
def competition_scores_save(
    request: HttpRequest, competition_id: int, payload: ScoresIn
) -> dict[str, int]:
    """All the cells are checked first; any refused refuses the whole batch (422, naming the
    cell). A cell given with ``score: null`` is cleared."""
    user = _staff(request)
    comp = selectors.access_competition(user, competition_id)
    units = {u.pk: u for u in comp.units.select_related("enterprise")}
    phases = {p.pk: p for p in comp.phases.all()}
    indicators = {i.pk: i for i in comp.indicator_rows.all()}
    entries = []
    for n, cell in enumerate(payload.scores, start=1):
        unit, phase = units.get(cell.unit), phases.get(cell.phase)
        indicator = indicators.get(cell.indicator)
        if unit is None or phase is None or indicator is None:
            what = "unit" if unit is None else "phase" if phase is None else "indicator"
            raise InvalidInput.one(
                f"scores.{n}.{what}", _("第%(n)d项：不是本竞赛的参赛单位、阶段或指标") % {"n": n}
            )
        entries.append(
            services.ScoreEntry(
                unit=unit,
                indicator=indicator,
                phase=phase,
                score=cell.score,
                label=_("第%(n)d项") % {"n": n},
            )
        )
    return services.competition_scores_save(actor=user, competition=comp, entries=entries)


@router.post(
    "/competitions/{competition_id}/scores/import",
    response=ScoreImportOut,
    summary="导入指标得分（XLSX/CSV）",
)
def competition_scores_import(
    request: HttpRequest, competition_id: int, file: File[UploadedFile]
) -> Any:
    """Columns 参赛单位 (name or credit code), 参赛班组, 阶段, 指标, 得分; every row answered,
    nothing written while any row is refused; the same sheet again changes nothing."""
    user = _staff(request, "honors.manage")
    comp = selectors.access_competition(user, competition_id)
    return importing.import_competition_scores(actor=user, competition=comp, upload=file).as_json()


@router.get(
    "/competitions/{competition_id}/ranking", response=RankingOut, summary="竞赛排名（加权）"
)
def competition_ranking(request: HttpRequest, competition_id: int) -> dict[str, Any]:
    """Each phase's total is Σ weight × score / max ÷ Σ weight × 100; the overall total the
    mean over the phases scored; equal totals share a rank."""
    comp = selectors.access_competition(_staff(request), competition_id)
    ranking = selectors.competition_ranking(comp)
    return {
        "phases": ranking.phases,
        "indicators": ranking.indicators,
        "rows": [
            {
                "unit": r.unit.pk,
                "name": r.unit.name,
                "enterprise": r.unit.enterprise_id,
                "team": r.unit.team,
                "rank": r.rank,
                "total": r.total,
                "phases": [{"phase": k, "total": v} for k, v in r.phases.items()],
            }
            for r in ranking.rows
        ],
    }


@router.post(
    "/competitions/{competition_id}/nominations",
    response={201: list[NominationOut]},
    summary="按竞赛排名推荐到评选",
)
def competition_nominate(
    request: HttpRequest, competition_id: int, payload: CompetitionNominateIn
) -> Status[Any]:
    """The units given (or the ``top`` of the ranking) nominated into an open round in the
    organiser's name, through the same nomination service (places and quota rules apply);
    any unit refused refuses the whole step."""
    user = _staff(request, "honors.nominate")
    comp = selectors.access_competition(user, competition_id)
    round = selectors.open_rounds_for_competition(user, comp).filter(pk=payload.round).first()
    if round is None:
        raise InvalidInput.one("round", _("没有可推荐的该评选（须为推荐中的集体或班组荣誉）"))
    if payload.top:
        ranked = [r.unit for r in selectors.competition_ranking(comp).rows if r.rank]
        units = ranked[: payload.top]
    else:
        units = list(comp.units.filter(pk__in=payload.units))
        if len(units) != len(set(payload.units)):
            raise InvalidInput.one("units", _("不是本竞赛的参赛单位"))
    made = services.competition_nominate(
        actor=user, competition=comp, round=round, units=units, select=payload.select
    )
    return Status(
        201, list(selectors.nominations_visible_to(user).filter(pk__in=[n.pk for n in made]))
    )


@router.post(
    "/rounds/{round_id}/nominations/import",
    response=NomineeImportOut,
    summary="导入本单位推荐名单（XLSX/CSV）",
)
def nominees_import(request: HttpRequest, round_id: int, file: File[UploadedFile]) -> Any:
    """Columns 身份证号 (individual awards) or 统一社会信用代码 (collective and team), 班组, 类别,
    材料说明; every row answered, nothing kept while any row is refused; the quota rules
    checked on the caller's org's list afterwards."""
    user = _staff(request, "honors.nominate")
    round = selectors.access_round(user, round_id)
    return importing.import_nominees(actor=user, round=round, upload=file).as_json()


# --- the model workers' register (劳模库) -----------------------------------------------------


class ModelWorkerCheckOut(Schema):
    year: int
    result: str
    note: str
    checked_on: datetime.date


class ModelWorkerBenefitOut(Schema):
    id: int
    kind: str
    year: int
    amount: Decimal
    granted_on: datetime.date
    note: str


class ModelWorkerOut(Schema):
    id: int
    name: str
    sex: str
    title: str
    level: str
    year: int
    employer: str
    org: str
    member: int | None
    honour: int | None
    allowance: Decimal
    status: str

    @staticmethod
    def resolve_org(obj: ModelWorker) -> str:
        return obj.org.code

    @staticmethod
    def resolve_member(obj: ModelWorker) -> int | None:
        return obj.member_id

    @staticmethod
    def resolve_honour(obj: ModelWorker) -> int | None:
        return obj.honour_id


class ModelWorkerDetail(ModelWorkerOut):
    checks: list[ModelWorkerCheckOut]
    benefits: list[ModelWorkerBenefitOut]

    @staticmethod
    def resolve_checks(obj: ModelWorker) -> list[Any]:
        return list(obj.checks.all())

    @staticmethod
    def resolve_benefits(obj: ModelWorker) -> list[Any]:
        return list(obj.benefits.all())


class ModelWorkerFilters(PageParams):
    q: str = Field("", max_length=50, description="姓名或工作单位")
    status: str = Field("", max_length=12, description="active / deceased / revoked")
    level: str = Field("", max_length=12, description="national / provincial / municipal")


class ModelWorkerIn(InputSchema):
    bounds = (ModelWorker,)

    org: str = Field("", description="管理工会代码，缺省为调用者所在单位")
    member: int | None = Field(None, ge=1, description="会员编号（会员库中的）")
    name: str
    title: str
    level: str = Field(..., description="national / provincial / municipal")
    year: int = Field(..., ge=1950, le=2100)
    employer: str = ""
    sex: str = Field("", description="M / F")
    allowance: Decimal = Field(Decimal("0"), ge=0, le=100000, max_digits=9, decimal_places=2)
    status: str = "active"
    note: str = ""


class ModelWorkerCheckIn(InputSchema):
    year: int = Field(..., ge=1950, le=2100)
    result: str = Field(..., description="normal / hardship / ill / unreachable / deceased")
    checked_on: datetime.date | None = None
    note: str = Field("", max_length=200)


class ModelWorkerBenefitIn(InputSchema):
    kind: str = Field(..., description="allowance / hardship / recuperation / health / visit")
    amount: Decimal = Field(..., gt=0, le=1_000_000, max_digits=11, decimal_places=2)
    granted_on: datetime.date
    year: int | None = Field(None, ge=1950, le=2100)
    note: str = Field("", max_length=200)


@router.get("/model-workers", response=Page[ModelWorkerOut], summary="劳模库")
def model_worker_list(request: HttpRequest, filters: Query[ModelWorkerFilters]) -> dict[str, Any]:
    """Staff: the register of their subtree; a member: their own entry."""
    qs = selectors.model_worker_search(
        request.user, q=filters.q, status=filters.status, level=filters.level
    )
    return paginate(qs, filters)


@router.post("/model-workers", response={201: ModelWorkerDetail}, summary="登记劳模")
def model_worker_new(request: HttpRequest, payload: ModelWorkerIn) -> Status[Any]:
    from gonghui.members.selectors import members_visible_to

    user = _staff(request, "honors.manage")
    data = payload.dict()
    org = _org(user, data.pop("org"), "org")
    member_id = data.pop("member")
    member = None
    if member_id is not None:
        member = members_visible_to(user).filter(pk=member_id).first()
        if member is None:
            raise InvalidInput.one("member", _("未找到该会员"))
    worker, _outcome = services.model_worker_save(actor=user, org=org, member=member, **data)
    return Status(201, selectors.access_model_worker(user, worker.pk))


class ModelWorkerImportOut(ImportOut):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@router.post(
    "/model-workers/import",
    response=ModelWorkerImportOut,
    summary="导入劳模名册（XLSX/CSV，逐行答复）",
)
def model_worker_import(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    user = _staff(request, "honors.manage")
    return importing.import_model_workers(actor=user, upload=file).as_json()


@router.get("/model-workers/{worker_id}", response=ModelWorkerDetail, summary="劳模详情")
def model_worker_detail(request: HttpRequest, worker_id: int) -> ModelWorker:
    return selectors.access_model_worker(request.user, worker_id)


@router.post(
    "/model-workers/{worker_id}/checks", response=ModelWorkerDetail, summary="登记年度核实"
)
def model_worker_check(
    request: HttpRequest, worker_id: int, payload: ModelWorkerCheckIn
) -> ModelWorker:
    user = _staff(request)
    worker = selectors.access_model_worker(user, worker_id)
    services.model_worker_check(actor=user, worker=worker, **payload.dict())
    return selectors.access_model_worker(user, worker_id)


@router.post(
    "/model-workers/{worker_id}/benefits", response=ModelWorkerDetail, summary="登记劳模待遇"
)
def model_worker_benefit(
    request: HttpRequest, worker_id: int, payload: ModelWorkerBenefitIn
) -> ModelWorker:
    user = _staff(request)
    worker = selectors.access_model_worker(user, worker_id)
    services.model_worker_benefit(actor=user, worker=worker, **payload.dict())
    return selectors.access_model_worker(user, worker_id)
