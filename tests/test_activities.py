"""Activities: sign-up within the limit and the waiting list promoted on a cancellation (also
when two cancel and one signs up at once, on PostgreSQL), check-in by the door's QR code and by
the clerk, volunteer hours, photos through the upload guard, the team's roll, the figures, and
scope on every page and endpoint."""

from __future__ import annotations

import itertools
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from gonghui.activities import selectors, services
from gonghui.activities.models import Activity, Signup, SignupStatus
from gonghui.core.errors import Conflict, InvalidInput, NotFound
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.metrics import Tally
from gonghui.core.metrics import get as metric
from gonghui.members.services import member_create

from .conftest import People, Tree, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def ident(n: int) -> str:
    body = f"37170219900101{n % 1000:03d}"
    return body + citizen_id_check_char(body)


_SEQ = itertools.count()


def members(tree: Tree, people: People, n: int, org: Any = None) -> list[Any]:
    """``n`` members of 甲公司工会 (or ``org``), each with a login."""
    out = []
    for _ in range(n):
        i = next(_SEQ)
        user = make_user(f"m{i}", "member", org or tree.union_a)
        member = member_create(
            actor=people.admin,
            org=org or tree.union_a,
            data={
                "name": "会员"
                + "甲乙丙丁戊己庚辛壬癸"[i % 10]
                + "子丑寅卯辰巳午未申酉"[i // 10 % 10],
                "id_number": ident(i),
            },
        )
        member.user = user
        member.save(update_fields=["user"])
        out.append(user)
    return out


def event(
    people: People, tree: Tree, *, capacity: int = 2, hours: str = "3", **kw: Any
) -> Activity:
    now = timezone.localtime()
    # an hour ago, but never yesterday: the figures below count by the day it starts
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return services.activity_save(
        actor=kw.pop("actor", people.cadre_a),
        org=kw.pop("org", tree.county_a),
        data={
            "title": "网络安全宣传周志愿活动",
            "kind": "volunteer",
            "starts_at": max(now - timedelta(hours=1), midnight),
            "ends_at": now + timedelta(hours=3),
            "place": "牡丹区职工服务中心",
            "capacity": capacity,
            "hours": hours,
            **kw,
        },
    )


def test_the_limit_fills_then_the_waiting_list_moves_up_in_order(
    people: People, tree: Tree
) -> None:
    a, b, c, d = members(tree, people, 4)
    item = event(people, tree, capacity=2)
    assert services.signup(user=a, activity=item).status == SignupStatus.CONFIRMED
    assert services.signup(user=b, activity=item).status == SignupStatus.CONFIRMED
    sc = services.signup(user=c, activity=item)
    sd = services.signup(user=d, activity=item)
    assert (sc.status, sd.status) == (SignupStatus.WAITING, SignupStatus.WAITING)
    with pytest.raises(Conflict):
        services.signup(user=a, activity=item)  # once
    mine = Signup.objects.get(member__user=a)
    services.signup_cancel(user=a, signup=mine)
    sc.refresh_from_db()
    sd.refresh_from_db()
    assert sc.status == SignupStatus.CONFIRMED and sd.status == SignupStatus.WAITING
    # signing up again queues at the end
    assert services.signup(user=a, activity=item).status == SignupStatus.WAITING
    # a waiting member cancelling frees no place
    services.signup_cancel(user=d, signup=sd)
    assert Signup.objects.filter(activity=item, status=SignupStatus.CONFIRMED).count() == 2
    # a larger capacity takes the waiting in
    services.activity_save(
        actor=people.cadre_a,
        org=tree.county_a,
        activity=item,
        data={**_data(item), "capacity": 3},
    )
    assert Signup.objects.get(member__user=a).status == SignupStatus.CONFIRMED
    with pytest.raises(InvalidInput) as exc:  # never below the places taken
        services.activity_save(
            actor=people.cadre_a,
            org=tree.county_a,
            activity=item,
            data={**_data(item), "capacity": 1},
        )
    assert exc.value.errors[0]["field"] == "capacity"


def _data(item: Activity) -> dict[str, Any]:
    return {
        "title": item.title,
        "kind": item.kind,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "place": item.place,
        "capacity": item.capacity,
        "hours": item.hours,
    }


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_and_signups_never_overfill(people: People, tree: Tree) -> None:
    users = members(tree, people, 8)
    item = event(people, tree, capacity=3)
    for user in users[:6]:
        services.signup(user=user, activity=item)  # 3 confirmed, 3 waiting
    confirmed = list(Signup.objects.filter(status=SignupStatus.CONFIRMED))
    errors: list[Exception] = []

    def run(fn: Any) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    jobs = [lambda s=s: services.signup_cancel(user=s.member.user, signup=s) for s in confirmed[:2]]
    jobs += [lambda u=u: services.signup(user=u, activity=item) for u in users[6:]]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Signup.objects.filter(activity=item, status=SignupStatus.CONFIRMED).count() == 3
    assert Signup.objects.filter(activity=item, status=SignupStatus.WAITING).count() == 3


def test_check_in_by_the_door_code_credits_hours(people: People, tree: Tree, login: Any) -> None:
    a, b, c = members(tree, people, 3)
    item = event(people, tree, capacity=2, hours="3.5")
    services.signup(user=a, activity=item)
    services.signup(user=b, activity=item)
    services.signup(user=c, activity=item)  # waiting
    client = login(a)
    url = f"/portal/activities/checkin/{item.checkin_token}/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    mine = Signup.objects.get(member__user=a)
    assert mine.attended and mine.checked_in_by == "qr" and mine.hours == Decimal("3.5")
    assert "您已签到" in client.get(url).content.decode()
    # the waiting member is told, and nothing changes
    with pytest.raises(Conflict):
        services.check_in_by_qr(user=c, token=item.checkin_token)
    # someone not signed up, a wrong token: the same 404
    stranger = members(tree, people, 1, org=tree.union_b)[0]
    assert login(stranger).get(url).status_code == 404
    assert client.get("/portal/activities/checkin/nope/").status_code == 404
    with pytest.raises(NotFound):
        services.check_in_by_qr(user=a, token="nope")
    # the clerk marks b present, corrects the hours, and the member's page sums them
    sb = Signup.objects.get(member__user=b)
    services.check_in(actor=people.cadre_a, signup=sb)
    services.hours_set(actor=people.cadre_a, signup=sb, hours="2")
    with pytest.raises(InvalidInput):
        services.hours_set(actor=people.cadre_a, signup=sb, hours="25")
    assert selectors.my_hours(b) == Decimal("2")
    page = login(b).get("/portal/activities/").content.decode()
    assert "志愿服务 2.0 小时" in page
    with pytest.raises(Conflict):  # after check-in no cancelling
        services.signup_cancel(user=b, signup=sb)
    with pytest.raises(NotFound):  # county B cannot mark county A's
        services.check_in(actor=people.cadre_b, signup=sb)
    # the figures, with their records
    today = timezone.localdate()
    tally = Tally(tree.city)
    assert tally.value(metric("activities.events"), today, today) == 1
    assert tally.value(metric("activities.participants"), today, today) == 2
    assert tally.value(metric("activities.volunteer_hours"), today, today) == Decimal("5.5")
    assert Tally(tree.county_b).value(metric("activities.participants"), today, today) == 0


def test_the_day_of_the_activity_only(people: People, tree: Tree) -> None:
    (a,) = members(tree, people, 1)
    later = timezone.localtime() + timedelta(days=3)
    item = event(people, tree, starts_at=later, ends_at=later + timedelta(hours=2))
    services.signup(user=a, activity=item)
    with pytest.raises(Conflict):
        services.check_in_by_qr(user=a, token=item.checkin_token)
    services.activity_cancel(actor=people.cadre_a, activity=item, reason="天气原因")
    with pytest.raises(Conflict):
        services.signup(user=a, activity=item)


def test_photos_pass_the_upload_guard_and_the_team_roll(
    people: People, tree: Tree, login: Any
) -> None:
    from gonghui.members.models import Member

    item = event(people, tree)
    client = login(people.cadre_a)
    response = client.post(
        f"/activities/{item.pk}/photos/",
        {"file": SimpleUploadedFile("a.png", PNG), "caption": "合影"},
    )
    assert response.status_code == 302 and item.photos.count() == 1
    photo = item.photos.get()
    assert client.get(f"/activities/photos/{photo.pk}/").status_code == 200
    assert login(people.cadre_b).get(f"/activities/photos/{photo.pk}/").status_code == 404
    client.post(f"/activities/{item.pk}/photos/", {"file": SimpleUploadedFile("a.png", b"MZ...")})
    assert item.photos.count() == 1  # not a picture: refused
    team = services.team_create(
        actor=people.cadre_a, org=tree.county_a, name="志愿服务队", founded_on="2020-05-20"
    )
    (a,) = members(tree, people, 1)
    member = Member.objects.get(user=a)
    services.team_join(actor=people.cadre_a, team=team, member=member, joined_on=date(2020, 5, 20))
    with pytest.raises(Conflict):
        services.team_join(actor=people.cadre_a, team=team, member=member)
    services.signup(user=a, activity=item)
    services.check_in(actor=people.cadre_a, signup=Signup.objects.get(member=member))
    roll = selectors.team_roll(team)
    assert roll[0]["hours"] == Decimal("3")
    page = client.get(f"/activities/teams/{team.pk}/")
    assert page.status_code == 200 and member.name in page.content.decode()
    assert login(people.cadre_b).get(f"/activities/teams/{team.pk}/").status_code == 404
    other = services.team_create(
        actor=people.cadre_b, org=tree.county_b, name="乙队", founded_on="2021-01-01"
    )
    with pytest.raises(InvalidInput):  # county B cannot enlist county A's member
        services.team_join(actor=people.cadre_b, team=other, member=member)


def test_pages_and_portal_scope(people: People, tree: Tree, login: Any) -> None:
    (a,) = members(tree, people, 1)
    (bm,) = members(tree, people, 1, org=tree.union_b)
    item = event(people, tree, capacity=1)
    services.signup(user=a, activity=item)
    signup = Signup.objects.get()
    staff_gets = ["/activities/", f"/activities/{item.pk}/", f"/activities/{item.pk}/qr.svg"]
    assert login(people.clerk_a).get(staff_gets[1]).status_code == 404  # above the clerk's union
    for who in (people.cadre_a, people.city_cadre, people.leader):
        for url in staff_gets:
            assert login(who).get(url).status_code == 200, (who, url)
    b = login(people.cadre_b)
    for url in staff_gets[1:]:
        assert b.get(url).status_code == 404, url
    for url in (
        f"/activities/{item.pk}/cancel/",
        f"/activities/signups/{signup.pk}/checkin/",
        f"/activities/{item.pk}/photos/",
    ):
        assert b.post(url, {"reason": "x"}).status_code == 404, url
        assert login(people.leader).post(url, {"reason": "x"}).status_code == 404, url
    assert not Signup.objects.get().attended
    for url in staff_gets:
        assert login(a).get(url).status_code == 404
    # the member's phone: county B's member does not see county A's activity
    assert login(a).get(f"/portal/activities/{item.pk}/").status_code == 200
    assert login(bm).get(f"/portal/activities/{item.pk}/").status_code == 404
    assert login(bm).post(f"/portal/activities/{item.pk}/").status_code == 404
    assert Signup.objects.count() == 1
    assert login(people.cadre_a).get("/portal/activities/").status_code == 404
    # the member signs up from the phone: full, so the waiting list
    (c,) = members(tree, people, 1, org=tree.street_a)
    response = login(c).post(f"/portal/activities/{item.pk}/", follow=True)
    assert "名额已满，已进入候补。" in response.content.decode()
    assert "候补第 1 位" in response.content.decode()
    # the county's cadre checks in from the activity page
    assert (
        login(people.cadre_a).post(f"/activities/signups/{signup.pk}/checkin/").status_code == 302
    )
    assert Signup.objects.get(pk=signup.pk).attended


def test_api_signup_checkin_hours_and_scope(people: People, tree: Tree, api: Any) -> None:
    (a,) = members(tree, people, 1)
    (bm,) = members(tree, people, 1, org=tree.union_b)
    staff = api(people.cadre_a)
    now = timezone.localtime()
    response = staff.post(
        "/api/v1/activities/events",
        {
            "title": "读书会",
            "kind": "reading",
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "place": "职工书屋",
            "capacity": 1,
            "hours": "2",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    event_id = response.json()["id"]
    member = api(a)
    assert member.get("/api/v1/activities/events").json()["count"] == 1
    response = member.post(f"/api/v1/activities/events/{event_id}/signup")
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    assert member.post(f"/api/v1/activities/events/{event_id}/signup").status_code == 409
    assert api(bm).post(f"/api/v1/activities/events/{event_id}/signup").status_code == 404
    token = Activity.objects.get().checkin_token
    response = member.post(
        "/api/v1/activities/checkin", {"token": token}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["attended"]
    mine = member.get("/api/v1/activities/my").json()
    assert mine["hours"] == "2.0" and mine["attended"] == 1
    signup_id = mine["signups"][0]["id"]
    response = staff.post(
        f"/api/v1/activities/signups/{signup_id}/hours",
        {"hours": 1.5},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["hours"] == "1.5"
    assert staff.get("/api/v1/activities/hours").json()[0]["hours"] == "1.5"
    b = api(people.cadre_b)
    assert b.get(f"/api/v1/activities/events/{event_id}").status_code == 404
    assert b.get(f"/api/v1/activities/events/{event_id}/signups").status_code == 404
    for url, body in (
        (f"/api/v1/activities/signups/{signup_id}/checkin", {"present": False}),
        (f"/api/v1/activities/signups/{signup_id}/hours", {"hours": 0}),
        (f"/api/v1/activities/signups/{signup_id}/cancel", {}),
    ):
        assert b.post(url, body, content_type="application/json").status_code == 404, url
    assert b.get("/api/v1/activities/hours").json() == []
    assert api(bm).post(f"/api/v1/activities/signups/{signup_id}/cancel").status_code == 404
    assert api(None).get("/api/v1/activities/events").status_code == 401


__all__ = ["datetime"]
