"""The reports API and ``gonghui report``: the same JSON; records behind each figure; scope."""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.core.management import call_command

from gonghui.core import metrics
from gonghui.core.models import AuditEntry

from .conftest import People, Tree
from .test_reports_figures import Seeded, extra_metrics, seed  # noqa: F401 - fixture

Q = "from=2020-01-01&to=2020-09-19"
SUMMARY = "/api/v1/reports/work-summary"


@pytest.fixture
def seeded(tree: Tree, people: People) -> Seeded:
    return seed(tree, people)


def records_url(key: str, org: str, extra: str = "") -> str:
    return f"/api/v1/reports/figures/{key}/records?org={org}&{Q}{extra}"


def test_work_summary_is_what_the_command_prints(seeded: Seeded, api: Any) -> None:
    response = api(seeded.people.leader).get(f"{SUMMARY}?org=371700&{Q}")
    assert response.status_code == 200
    body = response.json()
    out = io.StringIO()
    call_command("report", "--org", "371700", "--from", "2020-01-01", "--to", "2020-09-19",
                 "--format", "json", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue()) == body
    assert list(body) == ["org", "from", "to", "figures", "text"]
    assert (body["org"], body["from"], body["to"]) == ("371700", "2020-01-01", "2020-09-19")
    joined = next(f for f in body["figures"] if f["key"] == "members.joined")
    assert joined == {
        "key": "members.joined",
        "label": "新发展会员",
        "value": 3,
        "unit": "人",
        "previous": 1,
    }
    assert [f["key"] for f in body["figures"]] == [m.key for m in metrics.all_metrics()]
    assert body["text"].startswith("2020年1月1日至2020年9月19日，菏泽市总工会")


def test_each_figure_equals_its_records_through_the_api(
    seeded: Seeded,
    api: Any,
    extra_metrics: None,  # noqa: F811 - the fixture
) -> None:
    client = api(seeded.people.city_cadre)
    for org in ("371700", "371702", "371721"):
        body = client.get(f"{SUMMARY}?org={org}&{Q}").json()
        for fig in body["figures"]:
            page = client.get(records_url(fig["key"], org, "&limit=500")).json()
            assert page["value"] == fig["value"]
            metric = metrics.get(fig["key"])
            if metric.effective_kind == "count":
                assert page["count"] == fig["value"], fig["key"]
            elif metric.effective_kind == "sum":
                total = sum((Decimal(i["amount"]) for i in page["items"]), Decimal(0))
                assert Decimal(page["total"]) == total
                shown = (total / 10000).quantize(Decimal("0.01"), ROUND_HALF_UP)
                assert float(shown) == fig["value"]


def test_records_page(seeded: Seeded, api: Any) -> None:
    client = api(seeded.people.cadre_b)
    page = client.get(records_url("members.joined", "371721", "&limit=1")).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    item = page["items"][0]
    assert item["name"] == "赵丽"
    assert (item["org"], item["org_name"]) == ("G-B-0001", "乙公司工会")
    assert item["fields"] == {"入会日期": "2020-05-05"}
    second = client.get(records_url("members.joined", "371721", "&limit=1&offset=1")).json()
    assert second["items"][0]["name"] == "孙芳"


def test_default_org_and_period(seeded: Seeded, api: Any) -> None:
    body = api(seeded.people.clerk_a).get(f"{SUMMARY}?{Q}").json()
    assert body["org"] == "G-A-0001"
    assert next(f for f in body["figures"] if f["key"] == "members.joined")["value"] == 1


@pytest.mark.parametrize("who", ["cadre_b", "clerk_a"])
def test_it_validates_ownership(seeded: Seeded, api: Any, who: str) -> None:
    """County B's cadre and A's clerk get 404 for county A's report and records, like a
    missing org; nothing is written."""
    client = api(getattr(seeded.people, who))
    before = AuditEntry.objects.count()
    for url in (
        f"{SUMMARY}?org=371702&{Q}",
        records_url("members.joined", "371702"),
        f"/api/v1/reports/breakdown?org=371702&{Q}",
        f"/api/v1/reports/trend?org=371702&{Q}",
        f"{SUMMARY}?org=NOPE&{Q}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("who", ["member_a", "lawyer_a"])
def test_roles_without_reports_are_refused(seeded: Seeded, api: Any, who: str) -> None:
    client = api(getattr(seeded.people, who))
    assert client.get(f"{SUMMARY}?{Q}").status_code == 403
    assert client.get(records_url("members.joined", "G-A-0001")).status_code == 403


def test_anonymous_gets_401(seeded: Seeded, api: Any) -> None:
    assert api(None).get(f"{SUMMARY}?org=371700&{Q}").status_code == 401


def test_the_leader_reads_but_cannot_write(seeded: Seeded, api: Any) -> None:
    client = api(seeded.people.leader)
    assert client.get(f"{SUMMARY}?org=371702&{Q}").status_code == 200
    assert client.post(f"{SUMMARY}?org=371700&{Q}").status_code == 405
    assert client.delete(records_url("members.joined", "371700")).status_code == 405


def test_bad_parameters(seeded: Seeded, api: Any) -> None:
    client = api(seeded.people.city_cadre)
    bad = client.get(f"{SUMMARY}?org=371700&from=2020-09-19&to=2020-01-01")
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "to", "message": "截止日期不能早于起始日期"}]
    assert client.get(f"{SUMMARY}?org=371700&from=2020-13-01").status_code == 422
    assert client.get(records_url("nope.figure", "371700")).status_code == 404


def test_breakdown_and_trend(seeded: Seeded, api: Any) -> None:
    client = api(seeded.people.city_cadre)
    split = client.get(f"/api/v1/reports/breakdown?org=371700&{Q}").json()
    assert [o["name"] for o in split["orgs"]] == ["牡丹区总工会", "曹县总工会", "本级"]
    joined = next(f for f in split["figures"] if f["key"] == "members.joined")
    assert joined["values"] == [1, 2, 0] and joined["value"] == 3
    trend = client.get(f"/api/v1/reports/trend?org=371702&{Q}").json()
    assert len(trend["months"]) == 9
    figures = client.get("/api/v1/reports/figures").json()
    assert {"key": "members.joined", "label": "新发展会员", "unit": "人",
            "definition": "入会日期在期内的会员人数", "module": "members",
            "kind": "count"} in figures  # fmt: skip


def test_command_text_and_files(seeded: Seeded, tmp_path: Any) -> None:
    out = io.StringIO()
    call_command("report", "--org", "371702", "--from", "2020-01-01", "--to", "2020-09-19",
                 stdout=out)  # fmt: skip
    text = out.getvalue()
    assert text.startswith("牡丹区总工会工作报告\n2020-01-01至2020-09-19\n")
    assert "新组建1个化工产业园区工会" in text
    target = tmp_path / "r.xlsx"
    call_command("report", "--org", "371702", "--from", "2020-01-01", "--to", "2020-09-19",
                 "--format", "xlsx", "--output", str(target), stderr=io.StringIO())  # fmt: skip
    assert target.read_bytes()[:2] == b"PK"
