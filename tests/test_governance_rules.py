"""A meeting's own counting rules edited on its page (and through the API), and candidates
taken from the member registry with the picker: the list's 差额 share is checked again when
the first round opens."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.core.errors import Conflict, InvalidInput
from gonghui.core.models import AuditEntry
from gonghui.governance import services
from gonghui.governance.models import Candidate, Election, Meeting
from gonghui.members.services import member_create

from .test_governance_flow import _committee, _meeting, _present

pytestmark = pytest.mark.django_db


def _election(cadre: Any, meeting: Meeting, **extra: Any) -> Election:
    defaults: dict[str, Any] = {
        "title": "增补委员",
        "seats": 1,
        "method": "equal",
        "candidates": ["周五"],
    }
    return services.election_create(
        actor=cadre, meeting=meeting, committee=meeting.committee, **{**defaults, **extra}
    )


def test_the_page_edits_the_meeting_s_rules_and_the_quorum_follows_them(
    people: Any, tree: Any, login: Any
) -> None:
    cadre = people.cadre_a
    meeting = _meeting(cadre, _committee(cadre, tree.county_a, seats=6, holders=6))
    election = _election(cadre, meeting)
    _present(cadre, meeting, 4)  # 4 of 6: exactly two thirds, not more
    services.meeting_open(actor=cadre, meeting=meeting)
    with pytest.raises(Conflict, match="未超过应到 6 人的三分之二"):
        services.round_open(actor=cadre, election=election)
    page = login(cadre).get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert "选举时到会人数须超过应到人数的 2/3。" in page and 'data-testid="rules-form"' in page
    rules = {
        "quorum_num": "1",
        "quorum_den": "2",
        "majority_num": "1",
        "majority_den": "2",
        "majority_base": "present",
        "min_extra_percent": "10",
    }
    assert (
        login(people.cadre_b).post(f"/governance/meetings/{meeting.pk}/rules/", rules).status_code
        == 404
    )
    answer = login(cadre).post(f"/governance/meetings/{meeting.pk}/rules/", rules)
    assert answer.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.quorum_num, meeting.quorum_den, meeting.majority_base) == (1, 2, "present")
    assert meeting.min_extra_percent == 10
    entry = AuditEntry.objects.filter(action="governance.rules").get()
    assert entry.changes["majority_base"] == {"before": "entitled", "after": "present"}
    page = login(cadre).get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert "候选人须获得超过实到人数 1/2 的赞成票始得当选。" in page
    election.refresh_from_db()
    services.round_open(actor=cadre, election=election)  # 4 of 6 > one half
    # once a round is open the rules are fixed
    with pytest.raises(Conflict, match="已经开始投票"):
        services.meeting_set_rules(actor=cadre, meeting=meeting, rules={"min_extra_percent": 6})
    page = login(cadre).get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="rules-form"' not in page


def test_bad_rules_name_the_field_and_change_nothing(people: Any, tree: Any, api: Any) -> None:
    cadre = people.cadre_a
    meeting = _meeting(cadre, _committee(cadre, tree.county_a, seats=3, holders=3))
    for rules, field in (
        ({"quorum_num": 3, "quorum_den": 3}, "quorum_num"),
        ({"majority_base": "everyone"}, "majority_base"),
        ({"min_extra_percent": 101}, "min_extra_percent"),
        ({"chair": "x"}, "chair"),
    ):
        with pytest.raises(InvalidInput) as exc:
            services.meeting_set_rules(actor=cadre, meeting=meeting, rules=rules)
        assert exc.value.errors[0]["field"] == field
    meeting.refresh_from_db()
    assert (meeting.quorum_num, meeting.quorum_den, meeting.min_extra_percent) == (2, 3, 5)
    url = f"/api/v1/governance/meetings/{meeting.pk}/rules"
    assert api(people.cadre_b).post(url, {}, content_type="application/json").status_code == 404
    answer = api(cadre).post(
        url, {"quorum_num": 3, "quorum_den": 4}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["rules"]["quorum_num"] == 3


def test_candidates_come_from_the_member_registry_with_the_picker(
    people: Any, tree: Any, login: Any, api: Any
) -> None:
    cadre = people.cadre_a
    meeting = _meeting(cadre, _committee(cadre, tree.county_a, seats=6, holders=6))
    election = _election(cadre, meeting)
    member = member_create(
        actor=people.admin,
        org=tree.union_a,
        data={"name": "吴磊", "id_number": "11010519491231002X", "joined_on": "2019-01-01"},
    )
    stranger = member_create(
        actor=people.admin,
        org=tree.union_b,
        data={"name": "曹明", "id_number": "110105194912310046", "joined_on": "2019-01-01"},
    )
    client = login(cadre)
    page = client.get(f"/governance/elections/{election.pk}/").content.decode()
    assert 'data-testid="candidate-form"' in page and "/pick/member/" in page
    # the picker takes the name as typed (one member of that name in scope)
    assert (
        client.post(
            f"/governance/elections/{election.pk}/candidate_add/", {"member": "吴磊"}
        ).status_code
        == 302
    )
    added = Candidate.objects.get(election=election, name="吴磊")
    assert added.member_id == member.pk
    # a member of county B is not found from county A
    client.post(f"/governance/elections/{election.pk}/candidate_add/", {"member": "曹明"})
    assert not Candidate.objects.filter(name="曹明").exists()
    # 等额 with two candidates for one seat: the page says so, the round will not open
    page = client.get(f"/governance/elections/{election.pk}/").content.decode()
    assert "等额选举的候选人数（2）应等于应选名额（1）。" in page
    _present(cadre, meeting, 6)
    services.meeting_open(actor=cadre, meeting=meeting)
    with pytest.raises(Conflict, match="等额选举的候选人数"):
        services.round_open(actor=cadre, election=election)
    first = Candidate.objects.get(election=election, name="周五")
    assert (
        client.post(
            f"/governance/elections/{election.pk}/candidate_remove/", {"candidate": first.pk}
        ).status_code
        == 302
    )
    assert list(election.candidates.values_list("name", flat=True)) == ["吴磊"]
    services.round_open(actor=cadre, election=election)
    with pytest.raises(Conflict, match="选举已开始"):
        services.candidate_add(actor=cadre, election=election, name="郑七")
    # the API: an election whose candidates are members, and one more added
    second = api(cadre).post(
        f"/api/v1/governance/meetings/{meeting.pk}/elections",
        {"committee_id": meeting.committee_id, "title": "选举副主席", "seats": 1,
         "method": "competitive", "members": [member.pk], "candidates": ["钱二"]},
        content_type="application/json",
    )  # fmt: skip
    assert second.status_code == 201, second.content
    elected = Election.objects.get(title="选举副主席")
    assert {c.name: c.member_id for c in elected.candidates.all()} == {
        "钱二": None,
        "吴磊": member.pk,
    }
    refused = api(cadre).post(
        f"/api/v1/governance/elections/{elected.pk}/candidates",
        {"member": stranger.pk},
        content_type="application/json",
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "members"
    assert (
        api(people.cadre_b)
        .post(
            f"/api/v1/governance/elections/{elected.pk}/candidates",
            {"name": "郑七"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    added = api(cadre).post(
        f"/api/v1/governance/elections/{elected.pk}/candidates",
        {"name": "郑七"},
        content_type="application/json",
    )
    assert added.status_code == 200 and len(added.json()["candidates"]) == 3
