"""Honours (评先评优), craftsmen selection (工匠选树) and labour competitions (劳动竞赛).

- ``Award``: the catalogue (五一劳动奖状 / 奖章, 工人先锋号, 菏泽工匠, 农民工之星, 抗疫先锋 …):
  its kind (collective, individual, team) and level.
- ``Round``: one selection of an award by an org (the city): its places, quota rules and
  scoring rules as data, its timetable and its state (``workflow.ROUND``).
- ``Allotment``: the places a round gives an org below (a county federation).
- ``Nomination``: a nominee — a member or an enterprise of the registry — proposed by a
  union and passed up within the places; its tags feed the quota checker.
- ``Vetting``: one body's answer (市场监管, 税务, 纪检, 审计, 应急) on a nominee; a negative
  answer stops the nominee with the reason.
- ``Vote``: one member's vote in a round — once per member per round, held by a unique
  constraint, never by a check in Python alone.
- ``Score`` and ``SiteVisit``: the experts' scoring and the visit record.
- ``Honour``: the honour roll: a nominee named, with the certificate's number.
- ``Competition`` and ``CompetitionUnit``: labour competitions of key projects, their units
  and teams with scores and ranks; ``CompetitionPhase``, ``CompetitionIndicator`` and
  ``CompetitionScore``: the stages, the weighted indicators and each unit's score per
  indicator per phase, from which the units' totals and ranks are computed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import BaseModel
from gonghui.core.roles import grant
from gonghui.core.scope import ScopedQuerySet

grant("honors.view", "admin", "cadre", "leader", "clerk")
grant("honors.nominate", "admin", "cadre", "clerk")
grant("honors.manage", "admin", "cadre")
grant("honors.score", "admin", "cadre")
grant("honors.vote", "member")


class AwardKind(models.TextChoices):
    COLLECTIVE = "collective", _("集体")
    INDIVIDUAL = "individual", _("个人")
    TEAM = "team", _("班组")


class AwardLevel(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    COUNTY = "county", _("县区级")


class Award(BaseModel):
    """An entry of the catalogue. Not scoped: every staff user reads the same catalogue."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类别"), max_length=12, choices=AwardKind.choices)
    level = models.CharField(_("级别"), max_length=12, choices=AwardLevel.choices)
    description = models.TextField(_("说明"), blank=True)
    # an individual named with this award enters the model workers' register (劳模待遇)
    model_worker = models.BooleanField(_("入劳模库"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("荣誉")

    def __str__(self) -> str:
        return self.name


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    NOMINATING = "nominating", _("推荐中")
    VETTING = "vetting", _("审核中")
    VOTING = "voting", _("网络投票")
    SCORING = "scoring", _("专家评审")
    NOTICE = "notice", _("公示中")
    NAMED = "named", _("已命名")
    CANCELLED = "cancelled", _("已撤销")


class Round(BaseModel):
    """One selection of an award by ``org``. ``quota_rules`` is a list of
    ``{"tag", "op": "min"|"max", "percent"}``; ``scoring`` a list of
    ``{"key", "label", "max"}`` (the published criteria)."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办组织")
    )
    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("荣誉")
    )
    title = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    places = models.PositiveIntegerField(_("名额"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    criteria = models.TextField(_("评选条件"), blank=True)
    quota_rules = models.JSONField(_("比例要求"), default=list, blank=True)
    scoring = models.JSONField(_("评分标准"), default=list, blank=True)
    drop_extremes = models.BooleanField(_("去掉最高分和最低分"), default=False)
    vote_enabled = models.BooleanField(_("网络投票"), default=False)
    vote_daily_limit = models.PositiveIntegerField(_("同一地址每日投票上限"), default=20)
    results_live = models.BooleanField(_("投票结果实时公开"), default=True)
    notice_days = models.PositiveSmallIntegerField(_("公示工作日"), default=5)
    opens_on = models.DateField(_("推荐开始"))
    closes_on = models.DateField(_("推荐截止"))
    named_on = models.DateField(_("命名日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-opens_on", "-id"]
        verbose_name = _("评选")
        indexes = [models.Index(fields=["org", "status"], name="round_org_status")]  # lists

    def __str__(self) -> str:
        return self.title

    @property
    def kind(self) -> str:
        return self.award.kind


class Allotment(models.Model):
    """Places a round gives to an org below its own (a county federation)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="allotments")
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("分配单位")
    )
    places = models.PositiveIntegerField(_("名额"))

    class Meta:
        ordering = ["org__code"]
        verbose_name = _("名额分配")
        constraints = [
            models.UniqueConstraint(fields=["round", "org"], name="allotment_round_org_unique")
        ]

    def __str__(self) -> str:
        return f"{self.org}：{self.places}"


class Tag(models.TextChoices):
    """What a quota rule counts. A nominee may carry several (counted in each)."""

    FRONTLINE = "frontline", _("一线职工")
    UNIT_HEAD = "unit_head", _("单位负责人")
    WOMAN = "woman", _("女性")
    MIGRANT = "migrant", _("农民工")
    INDUSTRIAL = "industrial", _("产业工人")
    TECHNICIAN = "technician", _("专业技术人员")
    SCIENCE = "science", _("科教人员")
    NON_PUBLIC = "non_public", _("非公有制企业")


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", _("基层推荐")
    SELECTED = "selected", _("已推荐上报")
    STOPPED = "stopped", _("已终止")
    WITHDRAWN = "withdrawn", _("已撤回")
    NAMED = "named", _("已命名")


# nominations that count against places and quotas
LIVE_NOMINATIONS = (NominationStatus.PROPOSED, NominationStatus.SELECTED, NominationStatus.NAMED)


class Nomination(BaseModel):
    """A nominee proposed by ``org`` (the nominating union): a member or an enterprise."""

    audit_masked = {"name": "name"}

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="nominations")
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐单位")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("会员"),
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("单位"),
    )
    name = models.CharField(_("候选对象"), max_length=150)
    team = models.CharField(_("班组名称"), max_length=100, blank=True)
    tags = models.JSONField(_("类别标记"), default=list, blank=True)
    deeds = models.TextField(_("主要事迹"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=NominationStatus.choices,
        default=NominationStatus.PROPOSED,
    )
    stop_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    nominated_on = models.DateField(_("推荐日期"), default=timezone.localdate)
    score = models.DecimalField(
        _("专家评分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    # the live count: raised with F() in the vote's own transaction, so reading a round's
    # count is reading its candidates (not grouping a million vote rows);
    # ``selectors.vote_count_drift`` checks them against the rows
    vote_count = models.PositiveIntegerField(_("得票"), default=0)
    flagged_count = models.PositiveIntegerField(_("可疑票"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "org__code", "id"]
        verbose_name = _("提名")
        constraints = [
            # a member or an enterprise, never both, never neither
            models.CheckConstraint(
                condition=models.Q(member__isnull=False, enterprise__isnull=True)
                | models.Q(member__isnull=True, enterprise__isnull=False),
                name="nomination_one_nominee",
            ),
            # one nominee once per round (a withdrawn one may be proposed again)
            models.UniqueConstraint(
                fields=["round", "member"],
                condition=~models.Q(status="withdrawn") & models.Q(member__isnull=False),
                name="nomination_member_once",
            ),
            models.UniqueConstraint(
                fields=["round", "enterprise", "team"],
                condition=~models.Q(status="withdrawn") & models.Q(enterprise__isnull=False),
                name="nomination_enterprise_once",
            ),
        ]
        indexes = [
            # the round's list and the places count
            models.Index(fields=["round", "status"], name="nomination_round_status"),
            # honors.candidates: a round's nominations by date
            models.Index(fields=["nominated_on"], name="nomination_on"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.team}）" if self.team else self.name

    @property
    def tag_labels(self) -> list[str]:
        labels = dict(Tag.choices)
        return [str(labels.get(t, t)) for t in self.tags]


class NominationFile(models.Model):
    """A material of a nomination, kept through ``core.uploads.store``."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="files")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.file)


class Body(models.TextChoices):
    MARKET = "market", _("市场监管")
    TAX = "tax", _("税务")
    DISCIPLINE = "discipline", _("纪检监察")
    AUDIT = "audit", _("审计")
    SAFETY = "safety", _("应急管理（安全生产）")


class Vetting(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="vettings")
    body = models.CharField(_("征求意见单位"), max_length=12, choices=Body.choices)
    passed = models.BooleanField(_("无异议"))
    reason = models.CharField(_("意见"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["nomination_id", "body"]
        verbose_name = _("征求意见")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "body"], name="vetting_once_per_body")
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()}：{'无异议' if self.passed else self.reason}"


class Vote(models.Model):
    """One member's vote in a round. The unique constraint is the rule: a second vote by the
    same member in the same round cannot be stored, however the requests race."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="votes")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField(default=timezone.now)
    cast_on = models.DateField(default=timezone.localdate)
    address = models.CharField(max_length=45, blank=True)
    flagged = models.BooleanField(_("可疑"), default=False)

    class Meta:
        verbose_name = _("投票")
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="vote_once_per_member")
        ]
        indexes = [
            # the live count: votes of a round by nominee
            models.Index(fields=["round", "nomination"], name="vote_round_nomination"),
            # the daily limit and the burst check: a round's votes from one address
            models.Index(fields=["round", "address", "cast_at"], name="vote_round_address"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.nomination_id}"


class Score(models.Model):
    """One expert's scores of one nominee (each expert scores independently)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marks = models.JSONField(_("分项得分"), default=dict)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["nomination_id", "expert_id"]
        verbose_name = _("专家评分")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "expert"], name="score_once_per_expert")
        ]

    def __str__(self) -> str:
        return f"{self.expert_id}：{self.total}"


class SiteVisit(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("考察日期"))
    note = models.TextField(_("考察情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["visited_on", "id"]
        verbose_name = _("实地考察")

    def __str__(self) -> str:
        return f"{self.visited_on}：{self.note[:20]}"


class Honour(BaseModel):
    """The honour roll: one named nominee."""

    audit_masked = {"name": "name"}

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="honours")
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="honour")
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐单位")
    )
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=AwardKind.choices)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="honours",
        verbose_name=_("会员"),
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="honours",
        verbose_name=_("单位"),
    )
    name = models.CharField(_("获得者"), max_length=150)
    named_on = models.DateField(_("命名日期"))
    certificate_no = models.CharField(_("证书编号"), max_length=40, unique=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-named_on", "certificate_no"]
        verbose_name = _("荣誉获得者")
        indexes = [
            # the figures: honours named in a period, by award and kind
            models.Index(fields=["named_on", "award"], name="honour_named_award"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(member__user=user)


class CompetitionStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    RUNNING = "running", _("进行中")
    FINISHED = "finished", _("已结束")


class Competition(BaseModel):
    """A labour competition (劳动竞赛) of a key project, organised by ``org``."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办组织")
    )
    title = models.CharField(_("竞赛名称"), max_length=100)
    project = models.CharField(_("重点工程项目"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=CompetitionStatus.choices,
        default=CompetitionStatus.PLANNED,
    )
    # the names of ``indicator_rows`` in order, kept by the services for lists and the API's
    # list (one query); the rows, with their weights and maxima, are the truth
    indicators = models.JSONField(_("竞赛指标"), default=list, blank=True)
    description = models.TextField(_("竞赛内容"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("劳动竞赛")
        indexes = [models.Index(fields=["starts_on"], name="competition_starts")]  # the figure
        constraints = [
            models.UniqueConstraint(fields=["org", "title"], name="competition_org_title_unique")
        ]

    def __str__(self) -> str:
        return self.title


class CompetitionUnit(models.Model):
    """A participating unit (an enterprise of the registry) or one of its teams."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="units")
    enterprise = models.ForeignKey(
        "orgs.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("参赛单位")
    )
    team = models.CharField(_("参赛班组"), max_length=100, blank=True)
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    result = models.CharField(_("竞赛成绩"), max_length=200, blank=True)

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = _("参赛单位")
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "enterprise", "team"], name="competition_unit_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.enterprise.name}{self.team}" if self.team else self.enterprise.name


class CompetitionPhase(models.Model):
    """A stage of a competition (启动, 推进, 决赛/总结) with its dates; scores are entered per
    phase, and a unit's total is the mean of its phase totals over the phases scored."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("阶段名称"), max_length=50)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["competition_id", "position", "starts_on", "id"]
        verbose_name = _("竞赛阶段")
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="competition_phase_name")
        ]

    def __str__(self) -> str:
        return self.name


class CompetitionIndicator(models.Model):
    """An indicator of a competition (工程进度, 安全生产, 质量, 技术创新): its measuring unit, its
    weight and the most it scores. A unit's phase total is ``Σ weight × score / max`` over the
    indicators, divided by ``Σ weight`` and shown out of 100."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="indicator_rows"
    )
    name = models.CharField(_("指标名称"), max_length=50)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True, default="分")
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    max_score = models.DecimalField(_("满分"), max_digits=7, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["competition_id", "position", "id"]
        verbose_name = _("竞赛指标")
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "name"], name="competition_indicator_name"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0) & models.Q(max_score__gt=0),
                name="competition_indicator_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CompetitionScore(models.Model):
    """One unit's (or team's) score on one indicator in one phase: once, held by a unique
    constraint (an import or the grid replaces it, never adds a second)."""

    unit = models.ForeignKey(CompetitionUnit, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(
        CompetitionIndicator, on_delete=models.CASCADE, related_name="scores"
    )
    phase = models.ForeignKey(CompetitionPhase, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phase_id", "unit_id", "indicator_id"]
        verbose_name = _("指标得分")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "phase"], name="competition_score_once"
            )
        ]
        # the ranking and the grid read a phase's scores: (phase, unit) serves both
        indexes = [models.Index(fields=["phase", "unit"], name="competition_score_phase")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.indicator_id}/{self.phase_id}：{self.score}"


class ModelWorkerLevel(models.TextChoices):
    """The same levels as the member registry's ``model_worker`` field."""

    NATIONAL = "national", _("全国劳动模范")
    PROVINCIAL = "provincial", _("省部级劳动模范")
    MUNICIPAL = "municipal", _("市级劳动模范")


class ModelWorkerStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    DECEASED = "deceased", _("已故")
    REVOKED = "revoked", _("已撤销称号")


class ModelWorker(BaseModel):
    """The model workers' register (劳模库): one person holding a 劳模 title (or an award
    named with 劳模待遇), kept by the union that looks after them (``org``), with the monthly
    honour allowance, the yearly checks and the benefits granted."""

    audit_masked = {"name": "name"}

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("管理工会")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="model_worker_entries",
        verbose_name=_("会员"),
    )
    honour = models.ForeignKey(
        Honour,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="model_workers",
        verbose_name=_("荣誉"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(
        _("性别"), max_length=1, blank=True, choices=[("M", _("男")), ("F", _("女"))]
    )
    title = models.CharField(_("荣誉称号"), max_length=50)
    level = models.CharField(_("级别"), max_length=12, choices=ModelWorkerLevel.choices)
    year = models.PositiveSmallIntegerField(_("授予年度"))
    employer = models.CharField(_("工作单位"), max_length=150, blank=True)
    allowance = models.DecimalField(
        _("月荣誉津贴（元）"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ModelWorkerStatus.choices,
        default=ModelWorkerStatus.ACTIVE,
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org__code", "-year", "name", "id"]
        verbose_name = _("劳动模范")
        constraints = [
            # the register's natural key: a re-import of the same sheet finds the same rows
            models.UniqueConstraint(
                fields=["org", "name", "title", "year"], name="model_worker_natural_key"
            ),
        ]
        indexes = [
            # the register's list: a union's entries by status
            models.Index(fields=["org", "status"], name="model_worker_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）"

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(member__user=user)


class CheckResult(models.TextChoices):
    NORMAL = "normal", _("情况正常")
    HARDSHIP = "hardship", _("生活困难")
    ILL = "ill", _("患病")
    UNREACHABLE = "unreachable", _("联系不上")
    DECEASED = "deceased", _("已故")


class ModelWorkerCheck(models.Model):
    """The yearly check (年度走访核实) of one model worker: once a year."""

    worker = models.ForeignKey(ModelWorker, on_delete=models.CASCADE, related_name="checks")
    year = models.PositiveSmallIntegerField(_("年度"))
    result = models.CharField(_("核实情况"), max_length=12, choices=CheckResult.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    checked_on = models.DateField(_("核实日期"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["worker_id", "-year"]
        verbose_name = _("年度核实")
        constraints = [
            models.UniqueConstraint(fields=["worker", "year"], name="model_worker_check_yearly")
        ]

    def __str__(self) -> str:
        return f"{self.year}：{self.get_result_display()}"


class BenefitKind(models.TextChoices):
    ALLOWANCE = "allowance", _("荣誉津贴")
    HARDSHIP = "hardship", _("困难帮扶")
    RECUPERATION = "recuperation", _("疗休养")
    HEALTH = "health", _("健康体检")
    VISIT = "visit", _("节日慰问")


class ModelWorkerBenefit(models.Model):
    """A benefit granted to a model worker: an allowance paid, a grant, a health check."""

    worker = models.ForeignKey(ModelWorker, on_delete=models.CASCADE, related_name="benefits")
    kind = models.CharField(_("待遇项目"), max_length=12, choices=BenefitKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("金额（元）"), max_digits=11, decimal_places=2)
    granted_on = models.DateField(_("发放日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["worker_id", "-granted_on", "-id"]
        verbose_name = _("劳模待遇")
        indexes = [
            # a year's benefits by kind (the register's totals)
            models.Index(fields=["year", "kind"], name="model_worker_benefit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


ZERO = Decimal("0")
