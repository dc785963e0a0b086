"""Issue 10, finding 3, the application side: applying for a transfer (会籍接转) answers a
stranger exactly as it answers a member of a union elsewhere. Either way a request is filed
(201, pending, the releasing side unnamed); the one naming nobody cannot be approved by
anyone and lapses as void on the day a real one would complete; the receiving side's list
and audit rows read alike, and the work done is of one size."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.models import AuditEntry
from gonghui.members.models import Member, TransferRequest
from gonghui.members.services import member_create, transfer_requests_lapse

from .conftest import People, Tree, make_user
from .test_members_privacy import ID_WANG, cid, post

STRANGER = cid("37172119700101001")


@pytest.fixture
def wang(people: People, tree: Tree) -> Member:
    return member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={"name": "王强", "id_number": ID_WANG, "joined_on": "2015-03-01"},
    )


@pytest.fixture
def clerk_b(tree: Tree) -> Any:
    return make_user("clerk_b", "clerk", tree.union_b)


def _apply(client: Any, id_number: str, name: str) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        r = post(
            client,
            "/api/v1/members/transfers",
            {"id_number": id_number, "name": name, "to_org": "G-B-0001", "note": "调动"},
        )
    return r, len(queries)


def _alike(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("id", "name")}


def test_applying_for_a_stranger_answers_as_for_a_member_elsewhere(
    people: People, tree: Tree, wang: Member, clerk_b: Any, api: Any
) -> None:
    client = api(clerk_b)
    answers = [
        _apply(client, ID_WANG, "王强"),  # 王强, a member of county A
        _apply(client, STRANGER, "张三"),  # nobody's member
        _apply(client, cid("37170219850505123"), "王刚"),  # no such person either
    ]
    assert [r.status_code for r, _n in answers] == [201, 201, 201], [r.content for r, _n in answers]
    bodies = [r.json() for r, _n in answers]
    assert _alike(bodies[0]) == _alike(bodies[1]) == _alike(bodies[2])
    assert bodies[0]["status"] == "pending" and bodies[0]["from_org"] is None
    assert [b["name"] for b in bodies] == ["王*", "张*", "王*"]
    # the same work: a handful of indexed statements either way, none for a search
    counts = [n for _r, n in answers]
    assert max(counts) - min(counts) <= 3, counts
    # the receiving side's list reads alike
    mine = client.get("/api/v1/members/transfers").json()["items"]
    assert [_alike(t) for t in mine] == [_alike(bodies[0])] * 3
    # … and so do the audit rows it may read: the apply, and the look-up it took
    rows = AuditEntry.objects.visible_to(people.cadre_b).filter(action="transfer.apply")
    assert sorted(r.object_repr for r in rows) == ["张三", "王刚", "王强"]
    assert len({str(r.changes) for r in rows}) == 1
    looked = AuditEntry.objects.filter(actor=clerk_b, action="member.lookup")
    assert [e.changes["found"]["after"] for e in looked] == [0, 0, 0]
    # applying twice for the same person is refused alike
    again = [_apply(client, n, name)[0] for n, name in ((ID_WANG, "王强"), (STRANGER, "张三"))]
    assert {(r.status_code, r.content) for r in again} == {(409, again[0].content)}

    real = TransferRequest.objects.get(member=wang)
    blind = TransferRequest.objects.get(name="张三")
    assert blind.member is None and blind.from_org is None and blind.due_on == real.due_on
    # nobody can approve the one naming nobody: not the releasing side, not the applicant
    for who in (people.clerk_a, people.cadre_a, people.admin, clerk_b):
        r = post(api(who), f"/api/v1/members/transfers/{blind.pk}/approve")
        assert r.status_code == 404, (who, r.content)
    # on its day the real one completes and the other lapses as void
    assert transfer_requests_lapse(today=real.due_on) == 3
    real.refresh_from_db()
    blind.refresh_from_db()
    assert (real.status, blind.status) == ("done", "void")
    assert AuditEntry.objects.visible_to(people.cadre_b).filter(action="transfer.void").count() == 2


def test_the_applicant_withdraws_a_request_naming_nobody(
    people: People, tree: Tree, clerk_b: Any, api: Any
) -> None:
    r, _n = _apply(api(clerk_b), STRANGER, "张三")
    request_id = r.json()["id"]
    r = post(api(clerk_b), f"/api/v1/members/transfers/{request_id}/cancel")
    assert (r.status_code, r.json()["status"]) == (200, "cancelled"), r.content
    # outsiders cannot see it at all
    assert api(people.cadre_a).get(f"/api/v1/members/transfers/{request_id}").status_code == 404


def test_the_page_answers_alike(people: People, tree: Tree, wang: Member, clerk_b: Any) -> None:
    from django.test import Client

    client = Client()
    client.force_login(clerk_b)
    texts = []
    for number, name in ((ID_WANG, "王强"), (STRANGER, "张三")):
        r = client.post(
            "/members/transfer/",
            {"id_number": number, "name": name, "to_org": "G-B-0001", "note": "", "apply": "1"},
            follow=True,
        )
        assert r.status_code == 200
        texts.append([str(m) for m in r.context["messages"]])
    assert texts[0] == texts[1] == ["已提交会籍接转申请，待原工会同意或本人确认"]
