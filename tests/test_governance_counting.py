"""The counting rules, edge by edge (DOMAIN.md "Governance and elections")."""

from __future__ import annotations

from gonghui.governance import counting
from gonghui.governance.counting import Rules, Tally, count


def tally(
    approve: dict[str, int],
    *,
    seats: int = 2,
    entitled: int = 30,
    present: int = 25,
    issued: int = 25,
    returned: int = 25,
    valid: int | None = None,
) -> Tally:
    return Tally(
        seats=seats,
        entitled=entitled,
        present=present,
        issued=issued,
        returned=returned,
        valid=returned if valid is None else valid,
        approve=approve,
    )


def test_exactly_two_thirds_present_is_no_quorum() -> None:
    assert not counting.quorum_reached(20, 30)
    assert counting.quorum_reached(21, 30)
    assert counting.quorum_needed(30) == 21
    assert counting.quorum_needed(35) == 24  # 2/3 of 35 is 23.33: 24 is the first above
    assert not counting.quorum_reached(0, 0)


def test_no_quorum_round_elects_nobody() -> None:
    out = count(tally({"a": 20}, seats=1, present=20, issued=20, returned=20))
    assert out.void and not out.quorum and out.elected == []


def test_exactly_half_of_entitled_approving_is_not_elected() -> None:
    out = count(tally({"a": 15, "b": 16}, seats=2))
    assert out.threshold == 16
    assert out.elected == ["b"]
    assert out.empty_seats == 1
    assert "未当选" in out.reasons["a"]


def test_majority_is_of_entitled_not_present() -> None:
    # 22 present of 30: 12 approvals are over half of those present but not of those entitled
    out = count(tally({"a": 12}, seats=1, present=22, issued=22, returned=22))
    assert out.elected == [] and out.empty_seats == 1
    # configured per meeting: over half of those present
    out = count(
        tally({"a": 12}, seats=1, present=22, issued=22, returned=22),
        Rules(majority_base=counting.PRESENT),
    )
    assert out.elected == ["a"]


def test_more_returned_than_issued_voids_the_round() -> None:
    out = count(tally({"a": 25}, seats=1, issued=24, returned=25))
    assert out.void and out.quorum and out.elected == []
    assert "无效" in out.summary


def test_rank_order_when_more_pass_than_seats() -> None:
    out = count(tally({"a": 20, "b": 24, "c": 18}, seats=2))
    assert out.elected == ["b", "a"]
    assert out.passed == ["b", "a", "c"]
    assert "名次" in out.reasons["c"]
    assert out.decided


def test_tie_at_the_last_seat_goes_to_a_further_round_among_the_tied() -> None:
    out = count(tally({"a": 24, "b": 20, "c": 20}, seats=2))
    assert out.elected == ["a"]
    assert sorted(out.tied) == ["b", "c"]
    assert out.empty_seats == 0
    assert not out.decided


def test_tie_below_the_threshold_is_no_tie() -> None:
    out = count(tally({"a": 24, "b": 10, "c": 10}, seats=2))
    assert out.elected == ["a"] and out.tied == [] and out.empty_seats == 1


def test_write_in_can_win() -> None:
    out = count(tally({"a": 10, "另选：张三": 22}, seats=1))
    assert out.elected == ["另选：张三"]


def test_slate_equal_and_competitive_share() -> None:
    assert counting.slate_errors(counting.EQUAL, 1, 1) == []
    assert counting.slate_errors(counting.EQUAL, 1, 2)
    assert counting.minimum_extra(5) == 1
    assert counting.minimum_extra(40) == 2
    assert counting.minimum_extra(41) == 3  # 5 % of 41 is 2.05: rounded up
    assert counting.slate_errors(counting.COMPETITIVE, 5, 5)
    assert counting.slate_errors(counting.COMPETITIVE, 5, 6) == []
    assert counting.slate_errors(counting.COMPETITIVE, 41, 43)
    assert counting.slate_errors(counting.COMPETITIVE, 41, 44) == []
    assert counting.slate_errors(counting.COMPETITIVE, 10, 11, Rules(min_extra_percent=20))
    assert counting.slate_errors(counting.COMPETITIVE, 10, 12, Rules(min_extra_percent=20)) == []


def test_ballot_validity() -> None:
    assert counting.ballot_valid(2, 2)
    assert not counting.ballot_valid(3, 2)


def test_motion_majorities() -> None:
    assert not counting.motion_passed(15, 30)
    assert counting.motion_passed(16, 30)
    assert not counting.motion_passed(20, 30, 2, 3)
    assert counting.motion_passed(21, 30, 2, 3)
