"""Issue 10, findings 2, 3 and 5, performed as the attacker would and refused.

2. Masked IDs were reversible: a clerk's export showed ``3717**********6741`` beside the birth
   date; with the check character and Heze's region codes that left one candidate, which the
   full-number search ``?q=`` confirmed, unaudited.
3. A county pulled another county's member with ``transfer-in`` and an ID number; the QR join
   form told a stranger who is a member.
5. A county cadre's export carried every full ID number, audited without filter or count.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry
from gonghui.core.periodic import SCHEDULE
from gonghui.core.statemachine import TransitionNotAllowed
from gonghui.members import services
from gonghui.members.exporting import export_members
from gonghui.members.models import (
    TRANSFER_WORKFLOW,
    JoinApplication,
    Member,
    MembershipEvent,
    TransferRequest,
)
from gonghui.members.services import (
    TooManyLookups,
    member_create,
    member_lookup,
    member_portal_account,
    member_set_status,
    transfer_apply,
    transfer_approve,
    transfer_cancel,
    transfer_confirm,
    transfer_refuse,
    transfer_requests_lapse,
)

from .conftest import People, Tree, make_user

# Heze's county and district region codes: what the attacker enumerated.
HEZE_REGIONS = ["371702", "371703", "371721", "371722", "371723", "371724", "371725", "371726",
                "371728"]  # fmt: skip
OUT_OF_SCOPE = "此人无法在本单位办理，请其申请会籍接转"


def cid(body: str) -> str:
    return body + citizen_id_check_char(body)


ID_WANG = cid("37170219900101123")  # 王强 of 甲公司工会 (county A), born 1990-01-01
ID_LI = cid("37172119850615224")  # 李红 of 乙公司工会 (county B)
PHONE_WANG = "13853012345"


@pytest.fixture
def wang(people: People, tree: Tree) -> Member:
    return member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={"name": "王强", "id_number": ID_WANG, "phone": PHONE_WANG, "joined_on": "2015-03-01"},
    )


@pytest.fixture
def clerk_b(tree: Tree) -> Any:
    """A clerk of 曹县's grassroots union: the attacker of finding 3."""
    return make_user("clerk_b", "clerk", tree.union_b)


def post(client: Client, url: str, data: Any = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def candidates(tail: str, birth: str) -> list[str]:
    """The attack of the issue: every region × the birth date × the sequence digits the tail
    shows, kept when the check character matches."""
    out = []
    for region in HEZE_REGIONS:
        body = region + birth + tail[:3]
        if citizen_id_check_char(body) == tail[3]:
            out.append(body + tail[3])
    return out


# --- finding 2: masks that cannot be reversed, look-ups that are audited and throttled -------


def test_the_mask_no_longer_leaves_one_candidate(
    people: People, tree: Tree, wang: Member, tmp_path: Any, api: Any
) -> None:
    # what a clerk without the reveal right sees: the last four, the birth year
    out = tmp_path / "clerk.csv"
    export_members(people.clerk_a, out, fmt="csv")
    row = out.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()[1].split(",")
    masked, birth = row[3], row[4]
    assert (masked, birth) == ("*" * 14 + ID_WANG[-4:], "1990年")
    body = api(people.clerk_a).get(f"/api/v1/members/{wang.pk}").json()
    assert (body["id_number"], body["birth_date"]) == (masked, "1990年")
    client = Client()
    client.force_login(people.clerk_a)
    html = client.get(f"/members/{wang.pk}/").content.decode()
    assert "1990-01-01" not in html and "3717" not in html
    # the region and the birth date are now unknown: the attacker's candidates for one
    # birth year run to thousands, not one
    days = [date(1990, 1, 1) + timedelta(days=i) for i in range(365)]
    found = [c for d in days for c in candidates(masked[-4:], d.strftime("%Y%m%d"))]
    assert ID_WANG in found and len(found) > 200


def test_candidates_cannot_be_confirmed_by_search(
    people: People, wang: Member, api: Any, settings: Any
) -> None:
    settings.GONGHUI_LOOKUP_LIMIT = 5
    # with the old view's birth date one candidate was left (``ID_WANG``); an attacker who
    # now sees the year only tries the days of that year: here the first days of January
    assert candidates(ID_WANG[-4:], "19900101") == [ID_WANG]
    guesses = [c for day in range(2, 12) for c in candidates(ID_WANG[-4:], f"199001{day:02d}")]
    assert len(guesses) >= 5 and ID_WANG not in guesses
    client = api(people.clerk_a)
    # the address (GET) takes no whole numbers and no tail longer than the mask shows
    for q in [*guesses, ID_WANG[-5:], ID_WANG[-8:], PHONE_WANG, PHONE_WANG[-6:]]:
        r = client.get("/api/v1/members", {"q": q})
        assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "q"), q
    # the look-up (POST) answers, but each try is an audit row with the number masked …
    for guess in guesses[:5]:
        r = post(client, "/api/v1/members/lookup", {"q": guess})
        assert (r.status_code, r.json()) == (200, [])
    rows = AuditEntry.objects.filter(action="member.lookup", actor=people.clerk_a)
    assert rows.count() == 5
    assert all(ID_WANG not in str(e.changes) for e in rows)
    assert all(e.changes["id_number"]["after"].startswith("*" * 14) for e in rows)
    # … and past the limit the user is refused (429, in Chinese), the refusal audited too
    r = post(client, "/api/v1/members/lookup", {"q": ID_WANG})
    assert r.status_code == 429
    assert r.json()["detail"] == "完整号码查找过于频繁：每60分钟最多5次，请稍后再试。"
    assert AuditEntry.objects.filter(action="member.lookup_refused").count() == 1
    # another user's budget is their own
    r = post(api(people.cadre_a), "/api/v1/members/lookup", {"q": PHONE_WANG})
    assert (r.status_code, [m["name"] for m in r.json()]) == (200, ["王强"])
    assert r.json()[0]["id_number"] == "*" * 14 + ID_WANG[-4:]


def test_lookup_window_passes(
    people: People, wang: Member, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.GONGHUI_LOOKUP_LIMIT = 1
    assert [m.pk for m in member_lookup(actor=people.cadre_a, value=ID_WANG)] == [wang.pk]
    with pytest.raises(TooManyLookups):
        member_lookup(actor=people.cadre_a, value=ID_WANG)
    # once the window has passed the budget is back
    later = timezone.now() + timedelta(minutes=61)
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    assert len(member_lookup(actor=people.cadre_a, value=ID_WANG)) == 1


def test_lookup_answers_only_what_the_user_may_see(people: People, wang: Member, api: Any) -> None:
    for user in (people.cadre_b, people.lawyer_a, people.member_a):
        r = post(api(user), "/api/v1/members/lookup", {"q": ID_WANG})
        assert (r.status_code, r.json()) == (200, []), user
    assert AuditEntry.objects.filter(action="member.lookup").count() == 3
    assert post(api(None), "/api/v1/members/lookup", {"q": ID_WANG}).status_code == 401
    r = post(api(people.cadre_a), "/api/v1/members/lookup", {"q": "王强"})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "q")


def test_registering_a_candidate_is_a_counted_lookup(
    people: People, tree: Tree, wang: Member, settings: Any
) -> None:
    """Registering a guessed number tells whether it exists ("已是本工会会员"): counted too."""
    settings.GONGHUI_LOOKUP_LIMIT = 2
    data = {"name": "某某", "id_number": ID_WANG, "joined_on": "2020-01-01"}
    for _ in range(2):
        with pytest.raises(Exception) as exc:
            member_create(actor=people.clerk_a, org=tree.union_a, data=data)
        assert exc.value.detail == "此人已是本工会会员"  # type: ignore[attr-defined]
    with pytest.raises(TooManyLookups):
        member_create(actor=people.clerk_a, org=tree.union_a, data=data)
    assert AuditEntry.objects.filter(action="member.lookup", actor=people.clerk_a).count() == 2
    assert Member.objects.count() == 1


def test_the_roster_page_looks_up_by_post_and_throttles(
    people: People, wang: Member, login: Any, settings: Any
) -> None:
    settings.GONGHUI_LOOKUP_LIMIT = 1
    client = login(people.clerk_a)
    html = client.get("/members/").content.decode()
    assert 'action="/members/lookup/"' in html and 'method="post"' in html
    assert client.post("/members/lookup/", {"q": ID_WANG}).status_code == 200
    response = client.post("/members/lookup/", {"q": ID_WANG})
    assert response.status_code == 429
    assert "完整号码查找过于频繁" in response.content.decode()


# --- finding 3: transfers need the releasing side -------------------------------------------


def test_a_county_cannot_pull_another_countys_member(
    people: People, tree: Tree, wang: Member, clerk_b: Any, api: Any
) -> None:
    r = post(
        api(clerk_b),
        "/api/v1/members/transfer-in",
        {"id_number": ID_WANG, "name": "王强", "to_org": "G-B-0001"},
    )
    assert r.status_code == 409
    assert r.json() == {"type": "about:blank", "title": "Conflict", "status": 409,
                        "detail": OUT_OF_SCOPE}  # fmt: skip
    wang.refresh_from_db()
    assert wang.org == tree.union_a
    assert api(people.cadre_a).get(f"/api/v1/members/{wang.pk}").status_code == 200
    assert not MembershipEvent.objects.filter(kind__startswith="transfer").exists()
    assert not AuditEntry.objects.filter(action="member.transfer").exists()
    # the look-up it took is on record, under the clerk's union
    entry = AuditEntry.objects.get(action="member.lookup", actor=clerk_b)
    assert entry.note == "member.transfer_in"


def test_a_transfer_attempt_tells_no_member_from_a_member_elsewhere(
    people: People, tree: Tree, wang: Member, clerk_b: Any, api: Any
) -> None:
    """County B tries to take in 王强 (county A's member), a stranger, and 王强 under another
    name: the three answers are one, and the audit rows it may read say nothing either."""
    stranger = cid("37172119700101001")
    answers = [
        post(api(clerk_b), "/api/v1/members/transfer-in", {**who, "to_org": "G-B-0001"})
        for who in (
            {"id_number": ID_WANG, "name": "王强"},
            {"id_number": stranger, "name": "张三"},
            {"id_number": ID_WANG, "name": "王刚"},
        )
    ]
    assert {(r.status_code, r.content) for r in answers} == {(409, answers[0].content)}, [
        r.content for r in answers
    ]
    assert answers[0].json()["detail"] == OUT_OF_SCOPE
    found = AuditEntry.objects.filter(action="member.lookup", actor=clerk_b)
    assert [e.changes["found"]["after"] for e in found] == [0, 0, 0]
    wang.refresh_from_db()
    assert wang.org == tree.union_a
    # the releasing side's own cadre, who may see 王强, finds him
    r = post(
        api(people.cadre_a),
        "/api/v1/members/transfer-in",
        {"id_number": ID_WANG, "name": "王强", "to_org": "G-A-0001"},
    )
    assert r.status_code == 409  # already in that union: said plainly, within one's scope
    assert r.json()["detail"] != OUT_OF_SCOPE


def test_transfer_request_released_by_the_releasing_union(
    people: People, tree: Tree, wang: Member, clerk_b: Any, api: Any
) -> None:
    r = post(
        api(clerk_b),
        "/api/v1/members/transfers",
        {"id_number": ID_WANG, "name": "王强", "to_org": "G-B-0001", "note": "调动"},
    )
    assert r.status_code == 201, r.content
    request_id = r.json()["id"]
    # both sides see it: the receiving side without the member's name or union …
    mine = api(clerk_b).get("/api/v1/members/transfers").json()["items"]
    assert [(t["side"], t["name"], t["from_org"], t["from_org_name"]) for t in mine] == [
        ("in", "王*", None, None)
    ]
    # … the releasing side with both
    theirs = api(people.clerk_a).get("/api/v1/members/transfers", {"side": "out"}).json()
    assert [(t["side"], t["name"], t["member"], t["to_org"]) for t in theirs["items"]] == [
        ("out", "王强", wang.pk, "G-B-0001")
    ]
    assert (
        api(people.cadre_b).get("/api/v1/members/transfers", {"side": "out"}).json()["count"] == 0
    )
    # the receiving side cannot answer its own request; outsiders cannot see it
    assert post(api(clerk_b), f"/api/v1/members/transfers/{request_id}/approve").status_code == 404
    assert api(people.lawyer_a).get(f"/api/v1/members/transfers/{request_id}").status_code == 404
    # the releasing side approves: the member moves
    r = post(api(people.clerk_a), f"/api/v1/members/transfers/{request_id}/approve")
    assert (r.status_code, r.json()["status"], r.json()["way"]) == (200, "done", "原工会同意")
    wang.refresh_from_db()
    assert wang.org == tree.union_b
    # both audits show the request and the move
    for action in ("transfer.apply", "transfer.approve", "member.transfer"):
        orgs = set(AuditEntry.objects.filter(action=action).values_list("object_org", flat=True))
        assert orgs == {tree.union_a.pk, tree.union_b.pk}, action
    assert AuditEntry.objects.visible_to(people.cadre_a).filter(action="member.transfer").exists()
    # a settled request cannot be answered again
    r = post(api(people.clerk_a), f"/api/v1/members/transfers/{request_id}/refuse", {"reason": "x"})
    assert r.status_code in (404, 409)


def test_transfer_request_refused_with_a_reason(
    people: People, tree: Tree, wang: Member, clerk_b: Any
) -> None:
    request = transfer_apply(actor=clerk_b, id_number=ID_WANG, name="王强", to_org=tree.union_b)
    with pytest.raises(Exception) as exc:
        transfer_refuse(actor=people.clerk_a, request=request, reason="  ")
    assert exc.value.errors[0]["field"] == "reason"  # type: ignore[attr-defined]
    transfer_refuse(actor=people.clerk_a, request=request, reason="会费未结清")
    request.refresh_from_db()
    assert (request.status, request.reason) == ("refused", "会费未结清")
    wang.refresh_from_db()
    assert wang.org == tree.union_a
    with pytest.raises(TransitionNotAllowed):
        transfer_approve(actor=people.clerk_a, request=request)
    # the receiving side reads the reason
    client = Client()
    client.force_login(clerk_b)
    html = client.get("/members/transfer/").content.decode()
    assert "原工会不同意" in html and "会费未结清" in html and "甲公司工会" not in html


def test_member_confirms_from_the_portal(
    people: People, tree: Tree, wang: Member, clerk_b: Any
) -> None:
    user, _pw = member_portal_account(actor=people.clerk_a, member=wang)
    request = transfer_apply(actor=clerk_b, id_number=ID_WANG, name="王强", to_org=tree.union_b)
    client = Client()
    client.force_login(user)
    html = client.get("/portal/").content.decode()
    assert "乙公司工会申请将您的会籍转入" in html
    html = client.get("/portal/transfers/").content.decode()
    assert f'data-testid="confirm-{request.pk}"' in html
    # nobody else confirms for the member
    with pytest.raises(Exception):  # noqa: B017 - NotFound, as for a missing request
        transfer_confirm(actor=people.member_a, request=request)
    response = client.post(f"/portal/transfers/{request.pk}/confirm/")
    assert response.status_code == 302
    wang.refresh_from_db()
    user.refresh_from_db()
    assert (wang.org, user.org) == (tree.union_b, tree.union_b)
    request.refresh_from_db()
    assert (request.status, request.way) == ("done", "confirmed")


def test_request_completes_after_the_working_days_without_objection(
    people: People, tree: Tree, wang: Member, clerk_b: Any, settings: Any
) -> None:
    settings.GONGHUI_TRANSFER_WORKDAYS = 3
    request = transfer_apply(actor=clerk_b, id_number=ID_WANG, name="王强", to_org=tree.union_b)
    assert request.due_on > request.on
    assert transfer_requests_lapse(request.due_on - timedelta(days=1)) == 0
    wang.refresh_from_db()
    assert wang.org == tree.union_a
    assert transfer_requests_lapse(request.due_on) == 1
    assert transfer_requests_lapse(request.due_on) == 0  # safe to run twice
    wang.refresh_from_db()
    request.refresh_from_db()
    assert (wang.org, request.status, request.way) == (tree.union_b, "done", "lapsed")
    orgs = set(
        AuditEntry.objects.filter(action="transfer.lapse").values_list("object_org", flat=True)
    )
    assert orgs == {tree.union_a.pk, tree.union_b.pk}
    assert "gonghui.members.tasks.transfers_lapse" in SCHEDULE


def test_request_voids_when_the_member_left_meanwhile(
    people: People, tree: Tree, wang: Member, clerk_b: Any
) -> None:
    request = transfer_apply(actor=clerk_b, id_number=ID_WANG, name="王强", to_org=tree.union_b)
    member_set_status(actor=people.clerk_a, member=wang, status="withdrawn")
    assert transfer_requests_lapse(request.due_on) == 1
    request.refresh_from_db()
    wang.refresh_from_db()
    assert (request.status, wang.org, wang.status) == ("void", tree.union_a, "withdrawn")


def test_one_open_request_and_withdrawal(
    people: People, tree: Tree, wang: Member, clerk_b: Any
) -> None:
    request = transfer_apply(actor=clerk_b, id_number=ID_WANG, name="王强", to_org=tree.union_b)
    with pytest.raises(Exception) as exc:
        transfer_apply(actor=people.cadre_b, id_number=ID_WANG, name="王强", to_org=tree.union_b)
    assert exc.value.status == 409  # type: ignore[attr-defined]
    with pytest.raises(Exception):  # noqa: B017 - the releasing side does not withdraw it
        transfer_cancel(actor=people.clerk_a, request=request)
    transfer_cancel(actor=clerk_b, request=request)
    request.refresh_from_db()
    assert request.status == "cancelled"
    assert TransferRequest.objects.count() == 1


def test_transfer_workflow_is_data() -> None:
    edges = set(TRANSFER_WORKFLOW.edges())
    assert edges == {
        ("pending", "approve", "done"),
        ("pending", "confirm", "done"),
        ("pending", "lapse", "done"),
        ("pending", "refuse", "refused"),
        ("pending", "cancel", "cancelled"),
        ("pending", "void", "void"),
    }
    for state in ("done", "refused", "cancelled", "void"):
        assert TRANSFER_WORKFLOW.allowed(state) == []


# --- finding 3: the public join form reveals nothing about membership ---------------------


def _join(code: str, name: str, id_number: str) -> tuple[int, str, str]:
    client = Client()
    url = f"/join/{code}/"

    def state(html: str) -> str:
        match = re.search(r'name="state" value="([^"]+)"', html)
        assert match, html
        return match.group(1)

    html = client.post(url, {"step": "1", "name": name, "id_number": id_number}).content.decode()
    html = client.post(
        url, {"step": "2", "state": state(html), "phone": "13705300001", "worker_type": "employee"}
    ).content.decode()
    response = client.post(url, {"step": "3", "state": state(html), "consent": "on"})
    done = ""
    if response.status_code == 302:
        done = client.get(response["Location"]).content.decode()
        done = re.sub(r"[A-Za-z0-9]{32,}", "<token>", done)  # each visitor's CSRF token
    return response.status_code, response.get("Location", ""), done


def test_join_form_answers_members_and_strangers_alike(
    people: People, tree: Tree, wang: Member
) -> None:
    member_create(
        actor=people.cadre_b,
        org=tree.union_b,
        data={"name": "李红", "id_number": ID_LI, "joined_on": "2012-01-01"},
    )
    stranger = cid("37170219920304561")
    answers = {
        "member here, any name": _join("G-A-0001", "张三", ID_WANG),
        "member elsewhere": _join("G-A-0001", "李红", ID_LI),
        "nobody": _join("G-A-0001", "赵磊", stranger),
        "the same again": _join("G-A-0001", "赵磊", stranger),
    }
    assert len(set(answers.values())) == 1, answers
    status, location, page = answers["nobody"]
    assert (status, location) == (302, "/join/G-A-0001/done/")
    assert "已是" not in page and "已提交过" not in page
    # the clerk sees who they are; the stranger did not
    client = Client()
    client.force_login(people.clerk_a)
    html = client.get("/members/applications/").content.decode()
    assert "已是本工会会员" in html and "在其他工会在会" in html
    assert JoinApplication.objects.count() == 3
    # approving the member of another county files a request; nobody is pulled
    li_app = JoinApplication.objects.get(name="李红")
    client.post(f"/members/applications/{li_app.pk}/approve/")
    assert Member.objects.get(name="李红").org == tree.union_b
    assert TransferRequest.objects.get().status == "pending"


# --- finding 5: bulk export -----------------------------------------------------------------


def test_county_cadre_default_export_has_no_full_id(
    people: People, tree: Tree, wang: Member, api: Any
) -> None:
    for fmt in ("csv", "xlsx"):
        r = post(api(people.cadre_a), "/api/v1/members/export", {"format": fmt})
        assert r.status_code == 200
        content = b"".join(r.streaming_content) if r.streaming else r.content
        if fmt == "xlsx":
            import python_calamine

            sheet = python_calamine.load_workbook(io.BytesIO(content)).get_sheet_by_index(0)
            content = str(sheet.to_python()).encode()
        text = content.decode("utf-8", "replace")
        assert ID_WANG not in text and PHONE_WANG not in text and "王强" in text
    assert not AuditEntry.objects.filter(action="member.export").exists()


def test_full_export_without_a_purpose_is_refused_and_with_one_audited(
    people: People, tree: Tree, wang: Member, api: Any
) -> None:
    client = api(people.cadre_a)
    r = post(client, "/api/v1/members/export", {"format": "csv", "full": True})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "purpose")
    r = post(api(people.clerk_a), "/api/v1/members/export",
             {"format": "csv", "full": True, "purpose": "会员实名制核查"})  # fmt: skip
    assert r.status_code == 403
    assert not AuditEntry.objects.filter(action="member.export").exists()
    r = post(
        client,
        "/api/v1/members/export",
        {"format": "csv", "full": True, "purpose": "会员实名制核查", "org": "G-A-0001"},
    )
    assert r.status_code == 200
    text = b"".join(r.streaming_content).decode()
    assert ID_WANG in text and PHONE_WANG in text
    entry = AuditEntry.objects.get(action="member.export")
    assert entry.changes["purpose"]["after"] == "会员实名制核查"
    assert entry.changes["filters"]["after"] == {"q": "", "org": "G-A-0001", "status": ""}
    assert entry.changes["rows"]["after"] == 1
    assert ID_WANG not in str(entry.changes) and ID_WANG not in entry.note
