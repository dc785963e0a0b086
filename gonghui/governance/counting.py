"""The union's counting rules as one pure function, tested edge by edge.

工会基层组织选举工作条例 (2016) and the 中国工会章程 give the defaults (DOMAIN.md, "Governance
and elections"); each is configurable per meeting (``Rules``):

- quorum: an election goes ahead only when MORE than two thirds of those entitled are present
  (exactly two thirds is not enough);
- a round is void when more ballots come back than were issued;
- a ballot is valid when it approves (or writes in) no more names than there are seats;
- a candidate is elected with the approval of MORE than half of those entitled to vote (not of
  those present; exactly half is not enough);
- where more candidates pass than there are seats, the highest votes win; a tie at the last
  seat is voted again among the tied; seats left empty are voted again among those not
  elected;
- 差额: more candidates than seats, at least ``min_extra_percent`` % more (rounded up, at
  least one); 等额: exactly one candidate per seat.

Every fraction is a pair of whole numbers compared by cross-multiplication: no float ever
decides an election.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

ENTITLED, PRESENT, VOTED = "entitled", "present", "voted"
EQUAL, COMPETITIVE = "equal", "competitive"


@dataclass(frozen=True)
class Rules:
    """A meeting's counting rules; the defaults are the statutory ones."""

    quorum_num: int = 2  # strictly more than num/den of those entitled must be present
    quorum_den: int = 3
    majority_num: int = 1  # strictly more than num/den of the base must approve
    majority_den: int = 2
    majority_base: str = ENTITLED  # entitled | present | voted (valid ballots)
    min_extra_percent: int = 5  # 差额: at least this many % more candidates than seats


def more_than(part: int, whole: int, num: int, den: int) -> bool:
    """part > whole × num / den, in whole numbers."""
    return part * den > whole * num


def quorum_reached(present: int, entitled: int, rules: Rules = Rules()) -> bool:
    return entitled > 0 and more_than(present, entitled, rules.quorum_num, rules.quorum_den)


def quorum_needed(entitled: int, rules: Rules = Rules()) -> int:
    """The fewest present that make a quorum (the live page shows it)."""
    return entitled * rules.quorum_num // rules.quorum_den + 1


def slate_errors(method: str, seats: int, candidates: int, rules: Rules = Rules()) -> list[str]:
    """What is wrong with a candidate list (empty: it may go to the vote)."""
    if seats < 1:
        return [_("应选名额至少为 1。")]
    if method == EQUAL:
        if candidates != seats:
            return [
                _("等额选举的候选人数（%(c)d）应等于应选名额（%(s)d）。")
                % {"c": candidates, "s": seats}
            ]
        return []
    extra = minimum_extra(seats, rules)
    if candidates < seats + extra:
        return [
            _(
                "差额选举的候选人数（%(c)d）应至少比应选名额（%(s)d）多 %(e)d 人"
                "（差额比例不低于 %(p)d%%）。"
            )
            % {"c": candidates, "s": seats, "e": extra, "p": rules.min_extra_percent}
        ]
    return []


def minimum_extra(seats: int, rules: Rules = Rules()) -> int:
    """How many more candidates than seats a 差额 list needs: the share rounded up, at least 1."""
    return max(1, -(-seats * rules.min_extra_percent // 100))


def ballot_valid(marked: int, seats: int) -> bool:
    """A ballot marking (approving or writing in) more names than seats is invalid."""
    return marked <= seats


@dataclass
class Tally:
    """What the clerk enters (or the ballot box adds up) for one round."""

    seats: int
    entitled: int
    present: int
    issued: int
    returned: int
    valid: int
    invalid: int = 0
    approve: dict[Any, int] = field(default_factory=dict)  # candidate → approvals


@dataclass
class Outcome:
    void: bool
    quorum: bool
    base: int  # the number "more than half" is taken of
    threshold: int  # the fewest approvals that elect
    passed: list[Any]  # candidates over the threshold, most votes first
    elected: list[Any]
    tied: list[Any]  # tied at the last seat: voted again among themselves
    empty_seats: int  # seats left empty: voted again among those not elected
    reasons: dict[Any, str]  # candidate → why elected or not, in words
    summary: str

    @property
    def decided(self) -> bool:
        return not self.void and not self.tied and self.empty_seats == 0


def count(tally: Tally, rules: Rules = Rules()) -> Outcome:
    """Apply the rules to one round: void, quorum, threshold, rank, tie and empty seats."""
    seats = tally.seats
    quorum = quorum_reached(tally.present, tally.entitled, rules)
    base = {ENTITLED: tally.entitled, PRESENT: tally.present, VOTED: tally.valid}[
        rules.majority_base
    ]
    threshold = base * rules.majority_num // rules.majority_den + 1
    reasons: dict[Any, str] = {}
    if tally.returned > tally.issued:
        summary = _("收回选票 %(r)d 张，多于发出的 %(i)d 张，本轮选举无效，应重新投票。") % {
            "r": tally.returned,
            "i": tally.issued,
        }
        return Outcome(True, quorum, base, threshold, [], [], [], seats, reasons, summary)
    if not quorum:
        summary = _("到会 %(p)d 人，未超过应到 %(e)d 人的三分之二，不能进行选举。") % {
            "p": tally.present,
            "e": tally.entitled,
        }
        return Outcome(True, False, base, threshold, [], [], [], seats, reasons, summary)
    ranked = sorted(tally.approve.items(), key=lambda kv: -kv[1])
    passed = [c for c, votes in ranked if votes >= threshold]
    for c, votes in ranked:
        if votes < threshold:
            reasons[c] = _("得赞成票 %(v)d 票，未超过 %(b)d 的半数（至少 %(t)d 票），未当选。") % {
                "v": votes,
                "b": base,
                "t": threshold,
            }
    tied: list[Any] = []
    if len(passed) <= seats:
        elected = passed
    else:
        last = tally.approve[passed[seats - 1]]
        if tally.approve[passed[seats]] == last:  # a tie across the last seat
            elected = [c for c in passed if tally.approve[c] > last]
            tied = [c for c in passed if tally.approve[c] == last]
        else:
            elected = passed[:seats]
        for c in passed:
            if c not in elected and c not in tied:
                reasons[c] = _("得赞成票 %(v)d 票，过半数但名次在应选名额之外，未当选。") % {
                    "v": tally.approve[c]
                }
    for c in elected:
        reasons[c] = _("得赞成票 %(v)d 票，超过 %(b)d 的半数，按得票多少当选。") % {
            "v": tally.approve[c],
            "b": base,
        }
    for c in tied:
        reasons[c] = _("得赞成票 %(v)d 票，与他人在最后名额上票数相等，须就相等者再次投票。") % {
            "v": tally.approve[c]
        }
    empty = 0 if tied else seats - len(elected)
    parts = [
        _("应到 %(e)d 人，实到 %(p)d 人；发出选票 %(i)d 张，收回 %(r)d 张，有效 %(v)d 张。")
        % {
            "e": tally.entitled,
            "p": tally.present,
            "i": tally.issued,
            "r": tally.returned,
            "v": tally.valid,
        },
        _("当选须得赞成票超过 %(b)d 的半数，即至少 %(t)d 票；当选 %(n)d 人。")
        % {"b": base, "t": threshold, "n": len(elected)},
    ]
    if tied:
        parts.append(
            _("最后 %(s)d 个名额得票相等，在相等的 %(n)d 人中再次投票。")
            % {"s": seats - len(elected), "n": len(tied)}
        )
    elif empty:
        parts.append(_("尚缺 %(n)d 个名额，在未当选的候选人中再次投票。") % {"n": empty})
    return Outcome(
        False, True, base, threshold, passed, elected, tied, empty, reasons, "".join(parts)
    )


def motion_passed(votes_for: int, base: int, num: int = 1, den: int = 2) -> bool:
    """A motion passes with more than num/den of its base voting for it."""
    return base > 0 and more_than(votes_for, base, num, den)
