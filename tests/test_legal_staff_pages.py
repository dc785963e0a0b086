"""The station's page as the centre keeps it: add a person, change one (kind, firm, the account
they log in with), take them off duty, change the station's own record — each a form on the
page through the same services as the API and the spreadsheet; bad input names the field;
someone outside the station's county, or without the right, is refused and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.core.models import AuditEntry
from gonghui.legal import services
from gonghui.legal.models import Staff, Station

pytestmark = pytest.mark.django_db


def _station(people: Any) -> Station:
    return services.station_save(
        actor=people.admin,
        data={"code": "FY-A-01", "name": "牡丹区职工法律维权服务站", "kind": "station",
              "org": "371702", "hours": "周一至周五"},
    )  # fmt: skip


def test_the_centre_adds_and_changes_staff_from_the_stations_page(people: Any, login: Any) -> None:
    station = _station(people)
    cadre = login(people.cadre_a)
    page = cadre.get(f"/legal/stations/{station.pk}/").content.decode()
    assert 'data-testid="staff-form"' in page and 'data-testid="station-edit"' in page
    response = cadre.post(
        f"/legal/stations/{station.pk}/staff/",
        {"name": "张律师", "kind": "union_lawyer", "firm": "山东某律师事务所",
         "user": "lawyer_a", "since": "2020-03-01", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    person = Staff.objects.get()
    assert (person.name, person.kind, person.user, person.org) == (
        "张律师", "union_lawyer", people.lawyer_a, station.org
    )  # fmt: skip
    page = cadre.get(f"/legal/stations/{station.pk}/").content.decode()
    assert (
        "张律师" in page and "lawyer_a" in page and f'data-testid="staff-edit-{person.pk}"' in page
    )
    # the same name again changes that person: another kind, then off duty (active unticked)
    cadre.post(
        f"/legal/stations/{station.pk}/staff/",
        {"name": "张律师", "kind": "mediator", "since": "2020-03-01", "active": "on"},
    )
    person.refresh_from_db()
    assert person.kind == "mediator" and Staff.objects.count() == 1
    cadre.post(
        f"/legal/stations/{station.pk}/staff/",
        {"name": "张律师", "kind": "mediator", "since": "2020-03-01"},
    )
    person.refresh_from_db()
    assert person.active is False
    page = cadre.get(f"/legal/stations/{station.pk}/").content.decode()
    assert 'data-testid="off-duty"' in page
    assert AuditEntry.objects.filter(action="legal.staff_create").count() == 1
    assert AuditEntry.objects.filter(action="legal.staff_update").count() == 2


def test_bad_staff_input_names_the_field(people: Any, login: Any) -> None:
    station = _station(people)
    cadre = login(people.cadre_a)
    response = cadre.post(
        f"/legal/stations/{station.pk}/staff/",
        {"name": "李调解员", "kind": "mediator", "user": "no-such-account", "active": "on"},
    )
    assert response.status_code == 422 and "未找到该账号" in response.content.decode()
    response = cadre.post(f"/legal/stations/{station.pk}/staff/", {"name": "", "kind": "x"})
    assert response.status_code == 422
    assert Staff.objects.count() == 0


def test_the_station_is_changed_from_its_page(people: Any, login: Any) -> None:
    station = _station(people)
    cadre = login(people.cadre_a)
    response = cadre.post(
        f"/legal/stations/{station.pk}/edit/",
        {"code": "SOMETHING-ELSE", "name": "牡丹区职工法律维权服务站", "kind": "station",
         "org": "371702", "hours": "周一至周六 8:30-17:30", "phone": "0530-5550001",
         "longitude": "115.48", "latitude": "35.23", "founded_on": "2019-05-01", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.code == "FY-A-01"  # the key does not move
    assert station.hours == "周一至周六 8:30-17:30" and str(station.longitude) == "115.480000"
    bad = cadre.post(
        f"/legal/stations/{station.pk}/edit/",
        {"name": "站", "kind": "station", "org": "371702", "longitude": "500",
         "founded_on": "2019-05-01", "active": "on"},
    )  # fmt: skip
    assert bad.status_code == 422
    station.refresh_from_db()
    assert station.name == "牡丹区职工法律维权服务站"


@pytest.mark.parametrize("who", ["cadre_b", "leader", "lawyer_a", "member_a", "operator"])
def test_outside_the_station_nothing_changes(people: Any, login: Any, who: str) -> None:
    station = _station(people)
    client = login(getattr(people, who))
    staff = client.post(
        f"/legal/stations/{station.pk}/staff/", {"name": "王律师", "kind": "partner"}
    )
    edit = client.post(
        f"/legal/stations/{station.pk}/edit/",
        {"name": "改名", "kind": "station", "org": "371702", "founded_on": "2019-05-01"},
    )
    assert staff.status_code == 404 and edit.status_code == 404
    page = client.get(f"/legal/stations/{station.pk}/")
    if page.status_code == 200:  # the city's leader reads the station, without the forms
        assert 'data-testid="staff-form"' not in page.content.decode()
    assert Staff.objects.count() == 0
    station.refresh_from_db()
    assert station.name == "牡丹区职工法律维权服务站"
    anonymous = Client().post(f"/legal/stations/{station.pk}/staff/", {"name": "x"})
    assert anonymous.status_code == 302
