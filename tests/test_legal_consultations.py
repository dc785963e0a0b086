"""Online consultations: the thread, the queue per lawyer or counsellor, the crisis flag, and
the privacy rule for psychological content on every surface (HTML, API, export, search,
audit, report drill-down) for every persona."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.models import AuditEntry
from gonghui.legal import selectors, services
from gonghui.legal.models import Consultation, Delivered
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SECRET = "最近失眠很严重，和主管关系紧张"


@pytest.fixture
def counsellor(tree: Any) -> Any:
    return make_user("counsellor", "counsellor", tree.city, full_name="周静")


def _psych(people: Any) -> Consultation:
    return services.consultation_ask(
        actor=people.member_a, kind="psych", subject="压力很大", text=SECRET
    )


def test_a_psychological_question_goes_to_a_counsellor_and_is_answered(
    people: Any, counsellor: Any
) -> None:
    c = _psych(people)
    assert c.assignee == counsellor and c.status == "waiting" and not c.crisis
    services.consultation_reply(actor=counsellor, consultation=c, text="我们约个时间聊聊。")
    c.refresh_from_db()
    assert c.status == "answered" and c.first_response_at is not None
    assert Delivered.objects.filter(consultation=c, kind="consultation").count() == 1
    services.consultation_reply(actor=people.member_a, consultation=c, text="好的，谢谢")
    c.refresh_from_db()
    assert c.status == "waiting"  # back in the counsellor's queue
    services.consultation_close(actor=people.member_a, consultation=c)
    c.refresh_from_db()
    assert c.status == "closed" and c.closed_at is not None


def test_words_of_crisis_raise_the_flag_at_once(
    people: Any, counsellor: Any, settings: Any
) -> None:
    c = services.consultation_ask(
        actor=people.member_a, kind="psych", subject="很累", text="有时候真的不想活了"
    )
    assert c.crisis
    assert selectors.centre_todo(people.city_cadre)["crisis"] == 1
    assert selectors.centre_todo(people.cadre_a)["crisis"] == 1
    assert selectors.centre_todo(people.cadre_b)["crisis"] == 0
    items = selectors.assigned_items(counsellor, timezone.localdate())
    assert items[0]["card"] == "red"
    settings.LEGAL_CRISIS_WORDS = ["绝望"]  # the list is configurable
    other = services.consultation_ask(
        actor=people.member_a, kind="psych", subject="x", text="感到绝望"
    )
    assert other.crisis


def test_only_the_asker_and_the_counsellor_read_psychological_content(
    people: Any, counsellor: Any, login: Any, api: Any
) -> None:
    c = _psych(people)
    services.consultation_reply(actor=counsellor, consultation=c, text="回复内容保密")
    readers = {"member_a": people.member_a, "counsellor": counsellor}
    others = {
        "admin": people.admin,
        "city_cadre": people.city_cadre,
        "leader": people.leader,
        "cadre_a": people.cadre_a,
        "clerk_a": people.clerk_a,
        "operator": people.operator,
        "lawyer_a": people.lawyer_a,
        "cadre_b": people.cadre_b,
    }
    for name, user in readers.items():
        assert selectors.can_read(user, c), name
    for name, user in others.items():
        assert not selectors.can_read(user, c), name
        assert selectors.consultation_messages(user, c) == [], name
        # the HTML page and the list: at most a date and a status
        client = login(user)
        for url in (f"/legal/consultations/{c.pk}/", "/legal/consultations/", "/legal/"):
            body = client.get(url).content.decode()
            assert SECRET not in body and "压力很大" not in body and "回复内容保密" not in body, (
                name,
                url,
            )
        # the API: the record (when in scope) without subject or messages
        token = api(user)
        for url in (f"/api/v1/legal/consultations/{c.pk}", "/api/v1/legal/consultations"):
            response = token.get(url)
            text = response.content.decode()
            assert SECRET not in text and "压力很大" not in text, (name, url)
        detail = token.get(f"/api/v1/legal/consultations/{c.pk}")
        if detail.status_code == 200:
            assert detail.json()["subject"] is None and detail.json()["messages"] == []
            assert detail.json()["asker"] is None
    # the asker and the counsellor do read it, on the page and in the API
    assert SECRET in login(counsellor).get(f"/legal/consultations/{c.pk}/").content.decode()
    assert (
        SECRET
        in login(people.member_a).get(f"/portal/legal/consultations/{c.pk}/").content.decode()
    )
    assert (
        api(counsellor).get(f"/api/v1/legal/consultations/{c.pk}").json()["subject"] == "压力很大"
    )


def test_cadres_see_that_a_psychological_consultation_exists(people: Any, counsellor: Any) -> None:
    c = _psych(people)
    assert selectors.consultations_visible_to(people.cadre_a).filter(pk=c.pk).exists()
    assert not selectors.consultations_visible_to(people.cadre_b).filter(pk=c.pk).exists()
    assert not selectors.consultations_visible_to(people.lawyer_a).filter(pk=c.pk).exists()
    with pytest.raises(NotFound):
        selectors.access_consultation(people.cadre_b, c.pk)


def test_the_audit_log_never_holds_the_content(people: Any, counsellor: Any) -> None:
    c = _psych(people)
    services.consultation_reply(actor=counsellor, consultation=c, text="回复内容保密")
    for entry in AuditEntry.objects.filter(object_type="legal_consultation"):
        text = f"{entry.changes} {entry.note} {entry.object_repr}"
        assert SECRET not in text and "压力很大" not in text and "回复内容保密" not in text


def test_the_report_drill_down_shows_no_content(people: Any, counsellor: Any) -> None:
    from gonghui.core.metrics import get

    c = _psych(people)
    rows = list(
        get("legal.consultations").queryset(
            people.city_cadre.org, date(2000, 1, 1), date(2100, 1, 1)
        )
    )
    assert rows == [c]
    assert str(rows[0]) == f"心理咨询 #{c.pk}"


def test_a_lawyer_answers_only_their_own_and_a_cadre_reassigns(
    people: Any, tree: Any, login: Any
) -> None:
    c = services.consultation_ask(
        actor=people.member_a, kind="legal", subject="加班费", text="加班不给钱", anonymous=True
    )
    assert c.assignee == people.lawyer_a  # the county's lawyer
    other = make_user("lawyer_a2", "lawyer", tree.county_a)
    with pytest.raises(NotFound):
        services.consultation_reply(actor=other, consultation=c, text="x")
    with pytest.raises(Forbidden):
        services.consultation_assign(actor=people.lawyer_a, consultation=c, assignee="lawyer_a2")
    services.consultation_assign(actor=people.cadre_a, consultation=c, assignee="lawyer_a2")
    c.refresh_from_db()
    assert c.assignee == other
    # a legal consultation is readable by the centre's cadres, but an anonymous asker is not named
    assert selectors.can_read(people.cadre_a, c) and not selectors.shows_asker(people.cadre_a, c)
    page = login(people.cadre_a).get(f"/legal/consultations/{c.pk}/").content.decode()
    assert "加班不给钱" in page and "member_a" not in page


def test_only_members_ask(people: Any) -> None:
    with pytest.raises(Forbidden):
        services.consultation_ask(actor=people.cadre_a, kind="legal", subject="x", text="y")
