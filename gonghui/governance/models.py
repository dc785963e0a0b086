"""Governance: committees and their seats, meetings (plenaries), elections and minutes.

- ``Committee``: one body of one union for one term (菏泽市总工会第八届委员会, its 常委会, its
  经费审查委员会, a grassroots union's committee); ``term_end`` is when 换届 is due.
- ``Seat``: a person holding a place on a committee (linked to the member registry when the
  person is in it), with a position; ``SeatChange`` is each change (elected, by-elected,
  released, resigned) with the meeting that decided it.
- ``Meeting``: a plenary (or congress) with its agenda (``AgendaItem``: reports, motions,
  elections), its roll of those entitled (``RollEntry``), tellers and scrutineers, and its
  counting rules (``counting.Rules``).
- ``Election``: seats to fill, candidates (等额/差额), rounds. A paper round holds what the
  clerk counted (``RoundCount``); a secret round on the phone holds a ballot box (``Ballot``:
  choices only) and, apart from it, the list of who has received a one-time code
  (``CodeIssued``) and the codes' hashes (``VoteCode``). No column joins a ballot to a voter
  or to a code: the ballot and code keys are random, and neither table keeps a time.

Every record names its org (``org``), so scope is one subtree filter.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import BaseModel
from gonghui.core.roles import grant
from gonghui.core.scope import ScopedQuerySet

from . import counting

grant("governance.view", "admin", "cadre", "leader", "clerk")
grant("governance.manage", "admin", "cadre", "clerk")
grant("governance.vote", "member")


class CommitteeKind(models.TextChoices):
    COMMITTEE = "committee", _("委员会")
    STANDING = "standing", _("常务委员会")
    AUDIT = "audit", _("经费审查委员会")
    WOMEN = "women", _("女职工委员会")


class Position(models.TextChoices):
    CHAIR = "chair", _("主席")
    VICE_CHAIR = "vice_chair", _("副主席")
    STANDING = "standing", _("常委")
    MEMBER = "member", _("委员")
    DIRECTOR = "director", _("主任")


class ChangeKind(models.TextChoices):
    ELECTED = "elected", _("选举产生")
    BY_ELECTED = "by_elected", _("增补（补选）")
    RELEASED = "released", _("免去")
    RESIGNED = "resigned", _("辞去")


class Committee(BaseModel):
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    kind = models.CharField(_("类别"), max_length=12, choices=CommitteeKind.choices)
    term_number = models.PositiveSmallIntegerField(_("届次"))
    name = models.CharField(_("名称"), max_length=100)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期届满"))
    seats = models.PositiveSmallIntegerField(_("职数"))
    active = models.BooleanField(_("现任"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org", "-term_number", "kind"]
        verbose_name = _("委员会")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "term_number"], name="committee_one_per_term"
            ),
        ]
        indexes = [
            # terms due (换届 to-do and governance.terms_due): active committees by end date
            models.Index(fields=["active", "term_end", "org"], name="committee_term_due"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:committee", args=[self.pk])


class Seat(BaseModel):
    """A person on a committee. Ended seats stay: the history of who sat when."""

    audit_masked = {"person_name": "name"}

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="seat_set", verbose_name=_("委员会")
    )
    person_name = models.CharField(_("姓名"), max_length=50)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("会员"),
    )
    position = models.CharField(
        _("职务"), max_length=12, choices=Position.choices, default=Position.MEMBER
    )
    since = models.DateField(_("任职日期"))
    until = models.DateField(_("离任日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "until", "position", "person_name"]
        verbose_name = _("委员职位")
        indexes = [models.Index(fields=["committee", "until"], name="seat_current")]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.get_position_display()}）"

    @property
    def current(self) -> bool:
        return self.until is None


class SeatChange(models.Model):
    """One change of a seat, with the meeting that decided it."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="changes", verbose_name=_("委员会")
    )
    seat = models.ForeignKey(
        Seat, on_delete=models.PROTECT, related_name="changes", verbose_name=_("委员职位")
    )
    kind = models.CharField(_("变动"), max_length=12, choices=ChangeKind.choices)
    position = models.CharField(_("职务"), max_length=12, choices=Position.choices)
    on = models.DateField(_("日期"))
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seat_changes",
        verbose_name=_("决定的会议"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("委员变动")
        indexes = [
            # governance.replaced: by-elections of a period, by org
            models.Index(fields=["kind", "on", "org"], name="seatchange_period"),
        ]

    def __str__(self) -> str:
        return f"{self.seat.person_name} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("governance:committee", args=[self.committee_id])


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("全体委员会议（全委会）")
    STANDING = "standing", _("常委会会议")
    CONGRESS = "congress", _("会员（代表）大会")


class MeetingStatus(models.TextChoices):
    PREPARING = "preparing", _("筹备中")
    IN_SESSION = "in_session", _("会议进行中")
    CLOSED = "closed", _("已闭会")
    MINUTED = "minuted", _("纪要已签发")


class Meeting(BaseModel):
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("召开会议的委员会"),
    )
    kind = models.CharField(_("会议类别"), max_length=12, choices=MeetingKind.choices)
    number = models.CharField(_("会议编号"), max_length=40, unique=True)
    title = models.CharField(_("会议名称"), max_length=150)
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=150, blank=True)
    presided_by = models.CharField(_("主持人"), max_length=50, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PREPARING
    )
    tellers = models.JSONField(_("计票人"), default=list, blank=True)
    scrutineers = models.JSONField(_("监票人"), default=list, blank=True)
    # the counting rules (counting.Rules); the defaults are the statutory ones
    quorum_num = models.PositiveSmallIntegerField(_("法定人数（分子）"), default=2)
    quorum_den = models.PositiveSmallIntegerField(_("法定人数（分母）"), default=3)
    majority_num = models.PositiveSmallIntegerField(_("当选票数（分子）"), default=1)
    majority_den = models.PositiveSmallIntegerField(_("当选票数（分母）"), default=2)
    majority_base = models.CharField(
        _("过半数的基数"),
        max_length=10,
        default=counting.ENTITLED,
        choices=[
            (counting.ENTITLED, _("应到人数")),
            (counting.PRESENT, _("实到人数")),
            (counting.VOTED, _("有效票数")),
        ],
    )
    min_extra_percent = models.PositiveSmallIntegerField(_("差额比例（%）"), default=5)
    # the QR check-in: a random token printed as a QR code at the door
    checkin_token = models.CharField(max_length=40, unique=True, editable=False)
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_signed_by = models.CharField(_("纪要签发人"), max_length=50, blank=True)
    minutes_signed_on = models.DateField(_("签发日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("会议")
        indexes = [models.Index(fields=["held_on", "org"], name="meeting_held_on")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting", args=[self.pk])

    @property
    def rules(self) -> counting.Rules:
        return counting.Rules(
            quorum_num=self.quorum_num,
            quorum_den=self.quorum_den,
            majority_num=self.majority_num,
            majority_den=self.majority_den,
            majority_base=self.majority_base,
            min_extra_percent=self.min_extra_percent,
        )


class ItemKind(models.TextChoices):
    REPORT = "report", _("报告")
    MOTION = "motion", _("议案")
    ELECTION = "election", _("选举")


class MotionMajority(models.TextChoices):
    HALF_ENTITLED = "half_entitled", _("超过应到人数的半数")
    HALF_PRESENT = "half_present", _("超过实到人数的半数")
    TWO_THIRDS_ENTITLED = "two_thirds_entitled", _("超过应到人数的三分之二")


class AgendaItem(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("会议")
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("议程类别"), max_length=10, choices=ItemKind.choices)
    title = models.CharField(_("议程"), max_length=200)
    majority = models.CharField(
        _("表决规则"),
        max_length=20,
        choices=MotionMajority.choices,
        default=MotionMajority.HALF_ENTITLED,
    )
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    # a motion to release seats names them; passing it ends them
    releases = models.ManyToManyField(Seat, blank=True, related_name="+", verbose_name=_("免去"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order"]
        verbose_name = _("议程")

    def __str__(self) -> str:
        return self.title


class RollEntry(models.Model):
    """One person entitled to vote at a meeting, and whether they are present."""

    audit_masked = {"person_name": "name"}

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="roll", verbose_name=_("会议")
    )
    seat = models.ForeignKey(
        Seat, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(_("姓名"), max_length=50)
    present = models.BooleanField(_("到会"), default=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.CharField(
        _("签到方式"),
        max_length=8,
        blank=True,
        choices=[("qr", _("扫码签到")), ("clerk", _("工作人员登记"))],
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("应到人员")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "seat"],
                name="roll_one_per_seat",
                condition=models.Q(seat__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.person_name


class ElectionMethod(models.TextChoices):
    EQUAL = counting.EQUAL, _("等额选举")
    COMPETITIVE = counting.COMPETITIVE, _("差额选举")


class ElectionStatus(models.TextChoices):
    PREPARING = "preparing", _("准备中")
    VOTING = "voting", _("投票中")
    COUNTED = "counted", _("待再次投票")
    DECIDED = "decided", _("已产生结果")
    CONFIRMED = "confirmed", _("已确认任职")


class Election(BaseModel):
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="elections", verbose_name=_("会议")
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        related_name="elections",
        verbose_name=_("选入的委员会"),
    )
    title = models.CharField(_("选举事项"), max_length=150)
    position = models.CharField(
        _("选举职务"), max_length=12, choices=Position.choices, default=Position.MEMBER
    )
    seats = models.PositiveSmallIntegerField(_("应选名额"))
    method = models.CharField(_("选举方式"), max_length=12, choices=ElectionMethod.choices)
    by_election = models.BooleanField(_("增补（补选）"), default=False)
    secret_online = models.BooleanField(_("手机无记名投票"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=ElectionStatus.choices, default=ElectionStatus.PREPARING
    )
    decided_on = models.DateField(_("产生结果日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("选举")
        indexes = [models.Index(fields=["decided_on", "org"], name="election_decided")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:election", args=[self.pk])


class Candidate(models.Model):
    audit_masked = {"name": "name"}

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("选举")
    )
    name = models.CharField(_("姓名"), max_length=50)
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    write_in = models.BooleanField(_("另选他人"), default=False)
    elected = models.BooleanField(_("当选"), default=False)
    votes = models.PositiveIntegerField(_("得票"), default=0)
    reason = models.CharField(_("结果说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["election", "order", "id"]
        verbose_name = _("候选人")
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="candidate_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RoundStatus(models.TextChoices):
    OPEN = "open", _("投票中")
    COUNTED = "counted", _("已计票")
    VOID = "void", _("无效")


class Round(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("选举")
    )
    number = models.PositiveSmallIntegerField(_("轮次"))
    seats = models.PositiveSmallIntegerField(_("本轮应选名额"))
    candidates = models.ManyToManyField(Candidate, related_name="rounds", verbose_name=_("候选人"))
    status = models.CharField(
        _("状态"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    secret_online = models.BooleanField(_("手机无记名投票"), default=False)
    entitled = models.PositiveIntegerField(_("应到"), default=0)
    present = models.PositiveIntegerField(_("实到"), default=0)
    issued = models.PositiveIntegerField(_("发出选票"), default=0)
    returned = models.PositiveIntegerField(_("收回选票"), default=0)
    valid = models.PositiveIntegerField(_("有效票"), default=0)
    invalid = models.PositiveIntegerField(_("无效票"), default=0)
    summary = models.TextField(_("计票结果"), blank=True)
    # candidates tied at the last seat: the next round is among them
    tied = models.JSONField(default=list, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["election", "number"]
        verbose_name = _("投票轮次")
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="round_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.election.title} 第{self.number}轮"


class RoundCount(models.Model):
    """Per candidate: approve, disapprove, abstain (paper counts, or the ballot box's sum)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="counts")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="counts")
    approve = models.PositiveIntegerField(_("赞成"), default=0)
    disapprove = models.PositiveIntegerField(_("不赞成"), default=0)
    abstain = models.PositiveIntegerField(_("弃权"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "candidate"], name="roundcount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.approve}"


def _random_key() -> uuid.UUID:
    return uuid.uuid4()


class Ballot(models.Model):
    """One secret ballot: the round and the choices, nothing else — no voter, no code, no
    time; its key is random so that even the order of insertion tells nothing."""

    id = models.UUIDField(primary_key=True, default=_random_key, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    # {candidate id: "approve" | "disapprove" | "abstain"}, write-ins: {"+名字": "approve"}
    choices = models.JSONField(default=dict)
    valid = models.BooleanField(default=True)

    def __str__(self) -> str:
        return str(self.id)


class VoteCode(models.Model):
    """A one-time code's hash: usable once, in its round only, while the round is open."""

    id = models.UUIDField(primary_key=True, default=_random_key, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return str(self.id)


class CodeIssued(models.Model):
    """Who has received a code for a round (so nobody receives two): the list of who has
    voted, kept apart from the ballot box."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="issued_to")
    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "entry"], name="code_once_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.entry_id}"
