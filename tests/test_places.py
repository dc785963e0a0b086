"""Service places: members' ratings (once a month, bursts throttled), the yearly review from
self-assessment to the city's confirmation (levels, the checklist's cap, evidence), the
nearest search, the map's computed outlines, the import answered row by row, the door sign,
the figures, and scope on every page and endpoint (outside answers like missing)."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.metrics import get as metric
from gonghui.core.models import AuditEntry
from gonghui.core.pdf import pdf_available
from gonghui.places import checklists, geo, selectors, services
from gonghui.places.models import Kind, Place, Rating, Review, ReviewStatus

from .conftest import People, Tree

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c6360000002000100e221bc330000000049454e44ae426082"
)
ALL_MET = {
    "sign": True,
    "location": True,
    "facilities": True,
    "services": True,
    "rules": True,
    "map": True,
}


def make_place(people: People, org_code: str, code: str, **extra: Any) -> Place:
    data = {
        "code": code,
        "name": extra.pop("name", f"驿站{code}"),
        "kind": extra.pop("kind", "station"),
        "org": org_code,
        "longitude": extra.pop("longitude", "115.480000"),
        "latitude": extra.pop("latitude", "35.240000"),
        "opened_on": extra.pop("opened_on", "2019-05-01"),
        "checklist": extra.pop("checklist", ALL_MET),
        **extra,
    }
    return services.place_save(actor=people.admin, data=data)


@pytest.fixture
def place_a(people: People, tree: Tree) -> Place:
    return make_place(people, "371702001", "YZ-A-1", name="牡丹街道中华路驿站")


@pytest.fixture
def place_b(people: People, tree: Tree) -> Place:
    return make_place(
        people, "371721", "YZ-B-1", name="曹县驿站", longitude="115.542000", latitude="34.826000"
    )


def png(name: str = "照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


# --- places -------------------------------------------------------------------------------


def test_a_place_knows_its_county_and_writes_its_audit_row(place_a: Place, tree: Tree) -> None:
    assert place_a.county == tree.county_a and place_a.org == tree.street_a
    row = AuditEntry.objects.get(action="places.create")
    assert row.object_id == str(place_a.pk) and row.object_org == tree.street_a


def test_saving_the_same_place_again_changes_nothing(people: People, place_a: Place) -> None:
    before = AuditEntry.objects.count()
    make_place(people, "371702001", "YZ-A-1", name="牡丹街道中华路驿站")
    assert AuditEntry.objects.count() == before


def test_bad_input_names_the_field(people: People, tree: Tree) -> None:
    with pytest.raises(InvalidInput) as err:
        make_place(people, "371702", "YZ-X", longitude="200")
    assert err.value.errors[0]["field"] == "longitude"
    with pytest.raises(InvalidInput) as err:
        make_place(people, "371702", "YZ-X", kind="游泳池")
    assert err.value.errors[0]["field"] == "kind"
    with pytest.raises(InvalidInput) as err:
        make_place(people, "371702", "YZ-X", checklist="统一标识和名称、免费午餐")
    assert "免费午餐" in err.value.errors[0]["message"]
    assert not Place.objects.filter(code="YZ-X").exists()


def test_a_county_cadre_cannot_put_a_place_under_another_county(people: People, tree: Tree) -> None:
    with pytest.raises(InvalidInput) as err:
        services.place_save(
            actor=people.cadre_b,
            data={"code": "YZ-Y", "name": "x", "kind": "station", "org": "371702"},
        )
    assert err.value.errors[0]["field"] == "org"


def test_checklist_labels_are_read_whole(tree: Tree) -> None:
    got = services.parse_checklist("station", "统一标识和名称、选址合理、便于找到，map")
    assert got == {
        "sign": True,
        "location": True,
        "facilities": False,
        "services": False,
        "rules": False,
        "map": True,
    }
    assert checklists.max_stars("station", got) == 2
    assert checklists.max_stars("station", ALL_MET) == 5


# --- ratings ------------------------------------------------------------------------------


def test_a_member_rates_once_a_month_held_by_the_database(people: People, place_a: Place) -> None:
    services.rate(actor=people.member_a, place=place_a, score=4, on=date(2020, 5, 3))
    with pytest.raises(Conflict):
        services.rate(actor=people.member_a, place=place_a, score=5, on=date(2020, 5, 30))
    services.rate(actor=people.member_a, place=place_a, score=2, on=date(2020, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(place=place_a, user=people.member_a, month=date(2020, 6, 1), score=3)
    summary = selectors.rating_summary(place_a)
    assert (str(summary.average), summary.count) == ("3.0", 2)


def test_only_members_rate_and_scores_are_one_to_five(people: People, place_a: Place) -> None:
    with pytest.raises(NotFound):
        services.rate(actor=people.clerk_a, place=place_a, score=4)
    with pytest.raises(InvalidInput) as err:
        services.rate(actor=people.member_a, place=place_a, score=6)
    assert err.value.errors[0]["field"] == "score"


def test_the_portal_rating_shows_average_and_refuses_a_second_in_the_month(
    login: Any, people: People, place_a: Place
) -> None:
    client = login(people.member_a)
    url = f"/portal/places/p/{place_a.code}/"
    page = client.get(url)
    assert page.status_code == 200 and "牡丹街道中华路驿站" in page.content.decode()
    assert client.post(url, {"score": "5", "comment": "很好"}).status_code == 302
    again = client.post(url, {"score": "1"})
    assert again.status_code == 409 and "本月已经评价过" in again.content.decode()
    page = client.get(url).content.decode()
    assert "5.0（1 人次）" in page and "您本月已评 5 星" in page
    assert Rating.objects.get().score == 5


def test_bursts_of_ratings_are_throttled(
    login: Any, people: People, tree: Tree, place_a: Place
) -> None:
    client = login(people.member_a)
    places = [make_place(people, "371702", f"YZ-T-{n}") for n in range(6)]
    answers = [
        client.post(f"/portal/places/p/{p.code}/", {"score": "4"}).status_code for p in places
    ]
    assert answers == [302, 302, 302, 302, 302, 429]
    assert Rating.objects.count() == 5


def test_the_api_rating_throttle_answers_429(api: Any, people: People, place_a: Place) -> None:
    client = api(people.member_a)
    places = [place_a] + [make_place(people, "371702", f"YZ-U-{n}") for n in range(5)]
    codes = [
        client.post(
            f"/api/v1/places/{p.pk}/ratings", {"score": 3}, content_type="application/json"
        ).status_code
        for p in places
    ]
    assert codes == [201, 201, 201, 201, 201, 429]
    again = api(people.member_a).post(
        f"/api/v1/places/{place_a.pk}/ratings", {"score": 3}, content_type="application/json"
    )
    assert again.status_code == 429  # the count is per member, whatever the token


# --- the yearly review --------------------------------------------------------------------


def test_the_review_from_self_assessment_to_city_confirmation(
    people: People, tree: Tree, place_a: Place
) -> None:
    review = services.review_start(actor=people.cadre_a, place=place_a, year=2020)
    with pytest.raises(InvalidInput) as err:  # no evidence yet
        services.review_act(
            actor=people.cadre_a, review=review, action="submit", data={"self_stars": 5}
        )
    assert err.value.errors[0]["field"] == "file"
    services.evidence_add(actor=people.cadre_a, review=review, upload=png(), label="门牌")
    review = services.review_act(
        actor=people.cadre_a, review=review, action="submit", data={"self_stars": 5}
    )
    assert review.status == ReviewStatus.SUBMITTED and review.due_on is not None
    # the city may not take the county's step; county B cannot even see it
    with pytest.raises(Forbidden):
        services.review_act(
            actor=people.city_cadre, review=review, action="county_pass", data={"county_stars": 4}
        )
    with pytest.raises(NotFound):
        selectors.access_review(people.cadre_b, review.pk)
    with pytest.raises(Conflict):  # not yet at the city's step
        services.review_act(
            actor=people.city_cadre, review=review, action="confirm", data={"stars": 4}
        )
    review = services.review_act(
        actor=people.cadre_a, review=review, action="county_pass", data={"county_stars": 4}
    )
    with pytest.raises(Forbidden):
        services.review_act(
            actor=people.cadre_a, review=review, action="confirm", data={"stars": 4}
        )
    review = services.review_act(
        actor=people.city_cadre, review=review, action="confirm", data={"stars": 4}
    )
    place_a.refresh_from_db()
    assert (review.status, place_a.stars, place_a.stars_year) == ("confirmed", 4, 2020)
    assert [e.action for e in review.events.all()] == ["start", "submit", "county_pass", "confirm"]
    assert AuditEntry.objects.filter(object_type="places_review", action="places.confirm").exists()


def test_the_checklist_caps_the_stars_and_a_return_goes_back_to_the_owner(
    people: People, tree: Tree
) -> None:
    place = make_place(people, "371702", "YZ-C", checklist="统一标识和名称、服务内容和时间公开")
    review = services.review_start(actor=people.cadre_a, place=place, year=2020)
    services.evidence_add(actor=people.cadre_a, review=review, upload=png())
    with pytest.raises(InvalidInput) as err:
        services.review_act(
            actor=people.cadre_a, review=review, action="submit", data={"self_stars": 2}
        )
    assert "最高可评 1 星" in err.value.errors[0]["message"]
    review = services.review_act(
        actor=people.cadre_a, review=review, action="submit", data={"self_stars": 1}
    )
    review = services.review_act(
        actor=people.cadre_a, review=review, action="county_return", data={"reason": "照片不清"}
    )
    assert review.status == ReviewStatus.RETURNED
    review = services.review_update(
        actor=people.cadre_a, review=review, data={"checklist": ALL_MET, "self_stars": 5}
    )
    review = services.review_act(actor=people.cadre_a, review=review, action="submit", data={})
    assert (review.status, review.self_stars) == ("submitted", 5)
    with pytest.raises(Conflict):
        services.review_start(actor=people.cadre_a, place=place, year=2020)


def test_review_pages_walk_the_steps_and_list_what_waits(
    login: Any, people: People, tree: Tree, place_a: Place
) -> None:
    clerk = login(people.cadre_a)
    assert clerk.post(f"/places/{place_a.pk}/reviews/").status_code == 302
    review = Review.objects.get()
    url = f"/places/reviews/{review.pk}/"
    clerk.post(f"{url}assess/", {**{f"item_{k}": "on" for k in ALL_MET}, "self_stars": "5"})
    clerk.post(f"{url}evidence/", {"file": png(), "label": "门牌"})
    clerk.post(f"{url}submit/", {})
    review.refresh_from_db()
    assert review.status == "submitted" and review.evidence.count() == 1
    home = clerk.get("/places/reviews/").content.decode()
    assert "牡丹街道中华路驿站（" in home  # waiting for county A
    assert clerk.post(f"{url}county_pass/", {"county_pass-county_stars": "5"}).status_code == 302
    city = login(people.city_cadre)
    assert "牡丹街道中华路驿站（" in city.get("/places/reviews/").content.decode()
    city.post(f"{url}confirm/", {"confirm-stars": "5"})
    review.refresh_from_db()
    assert review.status == "confirmed" and review.stars == 5
    evidence = review.evidence.get()
    assert clerk.get(f"{url}evidence/{evidence.pk}/").status_code == 200
    assert login(people.cadre_b).get(f"{url}evidence/{evidence.pk}/").status_code == 404


def test_the_home_page_lists_the_review_waiting(login: Any, people: People, place_a: Place) -> None:
    review = services.review_start(actor=people.cadre_a, place=place_a, year=2020)
    services.evidence_add(actor=people.cadre_a, review=review, upload=png())
    services.review_act(
        actor=people.cadre_a,
        review=review,
        action="submit",
        data={"self_stars": 5},
        on=date(2020, 11, 2),
    )
    page = login(people.cadre_a).get("/").content.decode()
    assert "服务阵地星级评定 牡丹街道中华路驿站：县区审核" in page
    assert (
        "服务阵地星级评定 牡丹街道中华路驿站" not in login(people.cadre_b).get("/").content.decode()
    )


# --- nearest ------------------------------------------------------------------------------


def test_nearest_stations_by_position_and_by_county(people: People, tree: Tree) -> None:
    near = make_place(people, "371702", "N-1", longitude="115.420000", latitude="35.250000")
    mid = make_place(people, "371702", "N-2", longitude="115.500000", latitude="35.250000")
    far = make_place(people, "371721", "N-3", longitude="115.540000", latitude="34.830000")
    make_place(
        people, "371702", "N-4", kind="palace", checklist={}, longitude="115.418", latitude="35.251"
    )
    make_place(people, "371702", "N-5", longitude="115.419", latitude="35.251", active="否")
    found = selectors.nearest(
        Place.objects.visible_to(people.member_a), lng=115.417, lat=35.252, limit=3
    )
    assert [n.place.code for n in found] == ["N-1", "N-2", "N-3"]
    assert round(found[0].km, 2) == round(geo.haversine_km(115.417, 35.252, 115.42, 35.25), 2)
    assert 45 < found[2].km < 50  # 牡丹区 to 曹县: about 47 km
    by_county = selectors.nearest(Place.objects.all(), lng=115.542, lat=34.826, limit=1)
    assert [n.place for n in by_county] == [far]
    assert near and mid


def test_the_portal_search_and_the_api_give_the_same_order(
    login: Any, api: Any, people: People, tree: Tree
) -> None:
    make_place(people, "371702", "N-1", name="近处驿站", longitude="115.42", latitude="35.25")
    make_place(people, "371721", "N-3", name="曹县远处驿站", longitude="115.54", latitude="34.83")
    page = login(people.member_a).get("/portal/places/", {"lat": "35.252", "lng": "115.417"})
    text = page.content.decode()
    assert text.index("近处驿站") < text.index("曹县远处驿站")
    by_county = login(people.member_a).get("/portal/places/", {"county": "371721"}).content.decode()
    assert by_county.index("曹县远处驿站") < by_county.index("近处驿站")
    got = api(people.member_a).get("/api/v1/places/nearest", {"county": "371721", "limit": 2})
    assert [p["code"] for p in got.json()] == ["N-3", "N-1"]
    bad = api(people.member_a).get("/api/v1/places/nearest", {"lat": "91", "lng": "115"})
    assert bad.status_code == 422


# --- the map ------------------------------------------------------------------------------


def test_the_shipped_outlines_are_what_the_module_computes() -> None:
    shipped = geo.FILE.read_text(encoding="utf-8")
    assert shipped == geo.text()
    data = json.loads(shipped)
    assert {f["properties"]["code"] for f in data["features"]} == set(geo.SEATS)
    # each seat lies in its own cell (ray casting)
    for f in data["features"]:
        ring = f["geometry"]["coordinates"][0]
        x, y = f["properties"]["seat"]
        inside = False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        assert inside, f["properties"]["name"]


def test_the_map_page_carries_the_places_and_loads_nothing_from_outside(
    login: Any, people: People, place_a: Place, place_b: Place
) -> None:
    page = login(people.cadre_a).get("/places/map/").content.decode()
    assert "/static/places/heze-counties.geojson" in page
    marker = 'id="place-points" type="application/json">'
    start = page.index(marker) + len(marker)
    points = json.loads(page[start : page.index("</script>", start)])
    assert [p["name"] for p in points] == ["牡丹街道中华路驿站"]  # county B's is not cadre A's
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page


# --- import and export --------------------------------------------------------------------


def _sheet(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["阵地编号", "名称", "类型", "所属工会代码", "经度", "纬度", "已达标条件"])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("阵地.xlsx", out.getvalue())


def test_the_import_answers_row_by_row(login: Any, people: People, tree: Tree) -> None:
    rows = [
        ["IM-1", "一号驿站", "户外劳动者驿站", "371702", "115.4", "35.2", "统一标识和名称"],
        ["IM-2", "二号", "游泳池", "371702", "", "", ""],
        ["IM-3", "三号", "职工之家", "G-A-0001", "200", "35", ""],
        ["IM-4", "四号", "会员之家", "371721", "", "", ""],  # county B: not cadre A's
        ["IM-5", "五号", "工人文化宫", "371702", "115.41", "", ""],
    ]
    client = login(people.cadre_a)
    page = client.post("/places/import/", {"file": _sheet(rows)})
    text = page.content.decode()
    assert page.status_code == 200
    assert "共 5 行：新建 1 个，更新 0 个，未变 0 个，未导入 4 行。" in text
    for row, why in (
        (3, "类型：类型应为"),
        (4, "经度：坐标超出范围"),
        (5, "所属工会代码：本单位范围内没有"),
        (6, "纬度：经度和纬度应同时填写"),
    ):
        assert f"<td>{row}</td><td>{why}" in text, row
    assert list(Place.objects.values_list("code", flat=True)) == ["IM-1"]
    again = client.post("/places/import/", {"file": _sheet(rows[:1])}).content.decode()
    assert "新建 0 个，更新 0 个，未变 1 个" in again
    export = client.get("/places/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    assert client.get("/places/import/template/").status_code == 200


def test_an_unusable_file_is_refused_with_a_reason(login: Any, people: People, tree: Tree) -> None:
    bad = SimpleUploadedFile("x.xlsx", b"not a workbook")
    page = login(people.cadre_a).post("/places/import/", {"file": bad})
    assert page.status_code == 422 and "errorlist" in page.content.decode()


# --- the door sign ------------------------------------------------------------------------


@pytest.mark.skipif(not pdf_available(), reason="no CJK font")
def test_the_door_sign_is_a_pdf_with_the_code(login: Any, people: People, place_a: Place) -> None:
    answer = login(people.cadre_a).get(f"/places/{place_a.pk}/door.pdf")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    qr = login(people.cadre_a).get(f"/places/{place_a.pk}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


# --- figures ------------------------------------------------------------------------------


def test_the_figures_count_stations_and_confirmed_reviews(
    people: People, tree: Tree, place_a: Place, place_b: Place
) -> None:
    make_place(people, "371702", "P-1", kind="palace", checklist={}, opened_on="2010-01-01")
    make_place(people, "371702", "LATE", opened_on="2020-10-01")
    review = services.review_start(actor=people.cadre_a, place=place_a, year=2020)
    services.evidence_add(actor=people.cadre_a, review=review, upload=png())
    services.review_act(
        actor=people.cadre_a,
        review=review,
        action="submit",
        data={"self_stars": 5},
        on=date(2020, 3, 1),
    )
    services.review_act(
        actor=people.cadre_a,
        review=review,
        action="county_pass",
        data={"county_stars": 5},
        on=date(2020, 3, 5),
    )
    services.review_act(
        actor=people.city_cadre,
        review=review,
        action="confirm",
        data={"stars": 5},
        on=date(2020, 3, 9),
    )
    start, end = date(2020, 1, 1), date(2020, 9, 19)
    assert metric("places.stations").value(tree.city, start, end) == 2
    assert metric("places.stations").value(tree.county_a, start, end) == 1
    assert metric("places.rated").value(tree.city, start, end) == 1
    assert metric("places.rated").value(tree.county_b, start, end) == 0


# --- scope --------------------------------------------------------------------------------


def test_every_page_outside_the_scope_answers_like_a_missing_one(
    login: Any, people: People, place_a: Place
) -> None:
    review = services.review_start(actor=people.cadre_a, place=place_a, year=2020)
    evidence = services.evidence_add(actor=people.cadre_a, review=review, upload=png())
    outsider = login(people.cadre_b)
    gets = [
        f"/places/{place_a.pk}/",
        f"/places/{place_a.pk}/edit/",
        f"/places/{place_a.pk}/qr.svg",
        f"/places/{place_a.pk}/door.pdf",
        f"/places/reviews/{review.pk}/",
        f"/places/reviews/{review.pk}/evidence/{evidence.pk}/",
    ]
    for url in gets:
        assert outsider.get(url).status_code == 404, url
        assert outsider.get(url.replace(str(place_a.pk), "999999", 1)).status_code == 404
    posts = [
        f"/places/{place_a.pk}/reviews/",
        f"/places/reviews/{review.pk}/assess/",
        f"/places/reviews/{review.pk}/evidence/",
        f"/places/reviews/{review.pk}/submit/",
    ]
    for url in posts:
        assert outsider.post(url, {}).status_code == 404, url
    assert "牡丹街道中华路驿站" not in outsider.get("/places/").content.decode()
    csv = b"".join(outsider.get("/places/export/?format=csv").streaming_content).decode()
    assert "牡丹街道中华路驿站" not in csv and "阵地编号" in csv
    member = login(people.member_a)
    assert member.get(f"/places/{place_a.pk}/").status_code == 404
    assert member.get("/portal/places/p/NO-SUCH/").status_code == 404
    assert review.evidence.count() == 1 and Review.objects.get().status == "draft"


def test_every_endpoint_outside_the_scope_answers_like_a_missing_one(
    api: Any, people: People, place_a: Place
) -> None:
    review = services.review_start(actor=people.cadre_a, place=place_a, year=2020)
    outsider = api(people.cadre_b)
    for url in (
        f"/api/v1/places/{place_a.pk}",
        f"/api/v1/places/{place_a.pk}/ratings",
        f"/api/v1/places/reviews/{review.pk}",
    ):
        assert outsider.get(url).status_code == 404, url
        assert (
            outsider.get(
                url.replace(str(place_a.pk), "999999").replace(str(review.pk), "999999")
            ).status_code
            == 404
        )
    body = {"code": "YZ-A-1", "name": "x", "kind": "station", "org": "371721"}
    put = outsider.put(f"/api/v1/places/{place_a.pk}", body, content_type="application/json")
    step = outsider.post(
        f"/api/v1/places/reviews/{review.pk}/submit", {}, content_type="application/json"
    )
    start = outsider.post(
        f"/api/v1/places/{place_a.pk}/reviews", {}, content_type="application/json"
    )
    assert (put.status_code, step.status_code, start.status_code) == (404, 404, 404)
    listed = outsider.get("/api/v1/places").json()
    assert listed["count"] == 0
    assert api(people.cadre_a).get("/api/v1/places").json()["count"] == 1
    assert api(people.operator).get("/api/v1/places").status_code == 403
    place_a.refresh_from_db()
    assert place_a.name == "牡丹街道中华路驿站"


def test_the_api_creates_and_walks_a_review(api: Any, people: People, tree: Tree) -> None:
    client = api(people.cadre_a)
    made = client.post(
        "/api/v1/places",
        {
            "code": "API-1",
            "name": "接口驿站",
            "kind": "station",
            "org": "371702",
            "checklist": ALL_MET,
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["county"] == "371702"
    pk = made.json()["id"]
    review = client.post(
        f"/api/v1/places/{pk}/reviews", {"year": 2020}, content_type="application/json"
    )
    assert review.status_code == 201 and review.json()["actions"] == ["submit"]
    rid = review.json()["id"]
    refused = client.post(
        f"/api/v1/places/reviews/{rid}/confirm", {"stars": 3}, content_type="application/json"
    )
    assert refused.status_code == 409 and "市级确认" in refused.json()["detail"]
    no_evidence = client.post(
        f"/api/v1/places/reviews/{rid}/submit", {"self_stars": 4}, content_type="application/json"
    )
    assert no_evidence.status_code == 422
    assert no_evidence.json()["errors"][0]["field"] == "file"
    assert Kind.STATION == "station"
