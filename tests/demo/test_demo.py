"""The Heze demo data: the tree, the enterprises, the accounts, and that loading twice changes
nothing. The demo is the package's one load (``tests/demo/conftest.py``)."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from django.test import Client, RequestFactory
from stdnum.cn import uscc

from gonghui.accounts.models import User
from gonghui.core.models import AuditEntry
from gonghui.core.roles import Role
from gonghui.demo import heze, loaders
from gonghui.orgs.models import ALLOWED_CHILDREN, Enterprise, Org

COUNTY_CODES = {
    "371702": "牡丹区总工会",
    "371703": "定陶区总工会",
    "371721": "曹县总工会",
    "371722": "单县总工会",
    "371723": "成武县总工会",
    "371724": "巨野县总工会",
    "371725": "郓城县总工会",
    "371726": "鄄城县总工会",
    "371728": "东明县总工会",
    "371771": "菏泽经济技术开发区总工会",
    "371772": "菏泽高新技术产业开发区总工会",
}
# This module's loaders; later modules' (members ...) are tested with their modules.
OURS = ("orgs", "accounts")


def _state() -> dict[str, Any]:
    return {
        "orgs": list(Org.objects.order_by("code").values_list("code", "path", "updated_at")),
        "enterprises": list(
            Enterprise.objects.order_by("uscc").values_list("uscc", "union_id", "updated_at")
        ),
        "users": list(User.objects.order_by("username").values_list("username", "password")),
        "audit": AuditEntry.objects.count(),
    }


def test_the_tree_has_the_city_and_its_eleven_county_level_federations(demo: str) -> None:
    city = Org.objects.get(code="371700")
    assert (city.name, city.kind, city.region_code, city.parent_id) == (
        "菏泽市总工会",
        "city",
        "371700",
        None,
    )
    counties = Org.objects.filter(kind="county")
    assert {o.code: o.name for o in counties} == COUNTY_CODES
    assert {o.parent_id for o in counties} == {city.pk}
    assert {o.region_code for o in counties} == set(COUNTY_CODES)


def test_every_county_has_its_real_townships(demo: str) -> None:
    per_county = Counter(
        o.parent.code for o in Org.objects.filter(kind="township").select_related("parent")
    )
    assert set(per_county) == set(COUNTY_CODES)
    assert min(per_county.values()) >= 3
    mudan = set(
        Org.objects.filter(parent__code="371702", kind="township").values_list("name", flat=True)
    )
    assert {"东城街道工会", "牡丹街道工会", "沙土镇工会", "大黄集镇工会"} <= mudan
    assert Org.objects.get(code="371702001").name == "东城街道工会"


def test_chemical_unions_of_the_seed_page(demo: str) -> None:
    start, end = heze.CHEMICAL_WINDOW
    industry = Org.objects.filter(kind="industry", sector="chemical").select_related("parent")
    parks = Org.objects.filter(kind="park", sector="chemical").select_related("parent")
    assert industry.count() == 8
    assert parks.count() == 9
    # eight different counties for the industry unions
    assert len({o.parent.code for o in industry}) == 8
    assert {o.parent.kind for o in [*industry, *parks]} == {"county"}
    assert all(start <= o.founded_on <= end for o in [*industry, *parks])
    assert Org.objects.get(name="东明县化工产业工会").parent.code == "371728"
    assert Org.objects.get(name="东明石化产业园区工会").parent.code == "371728"
    # older industry unions exist too, founded before 2020
    older = Org.objects.filter(kind="industry", founded_on__year__lt=2020).exclude(
        sector="chemical"
    )
    assert {"菏泽市教育工会", "菏泽市卫生健康工会", "菏泽市交通运输工会"} <= {o.name for o in older}


def test_grassroots_unions_and_their_enterprises(demo: str) -> None:
    grassroots = Org.objects.filter(kind="grassroots")
    assert 300 <= grassroots.count() <= 400
    assert not grassroots.filter(chair="").exists()
    assert not grassroots.filter(contact_name="").exists()
    assert not grassroots.filter(address="").exists()
    assert not grassroots.filter(founded_on=None).exists()
    assert not grassroots.filter(headcount=0).exists()
    assert all(
        p.startswith("0530-5") and len(p) == 12
        for p in grassroots.values_list("contact_phone", flat=True)
    )
    # mostly founded before 2020
    assert grassroots.filter(founded_on__year__lt=2020).count() > 0.8 * grassroots.count()
    # each grassroots union covers exactly one enterprise, with the same headcount
    covered = Counter(Enterprise.objects.exclude(union=None).values_list("union_id", flat=True))
    assert set(covered) == set(grassroots.values_list("pk", flat=True))
    assert set(covered.values()) == {1}
    for ent in Enterprise.objects.exclude(union=None).select_related("union")[:50]:
        assert ent.union is not None
        assert ent.headcount == ent.union.headcount
        assert ent.union.path.startswith(ent.county.path)
    # a few of the tree's enterprises without a union yet; the small firms the bargaining
    # campaign reaches (registered by its loader) have none
    tree_firms = Enterprise.objects.filter(uscc__in=heze.enterprise_codes())
    assert 5 <= tree_firms.filter(union=None).count() <= 20
    assert (
        Enterprise.objects.exclude(uscc__in=heze.enterprise_codes()).exclude(union=None).count()
        == 0
    )
    assert not Enterprise.objects.filter(unit_category="").exists()
    assert not Enterprise.objects.filter(industry="").exists()
    assert not Enterprise.objects.filter(size_class="").exists()


def test_credit_codes_are_valid_and_unique(demo: str) -> None:
    enterprise_codes = list(Enterprise.objects.values_list("uscc", flat=True))
    union_codes = list(Org.objects.exclude(uscc="").values_list("uscc", flat=True))
    assert len(union_codes) == Org.objects.filter(kind="grassroots").count()
    codes = enterprise_codes + union_codes
    assert len(codes) == len(set(codes))
    for code in codes:
        assert uscc.validate(code) == code
        # the organisation-code part has its own GB 11714 check character
        assert heze.orgcode_with_check(code[8:16]) == code[8:17]
    assert {c[:2] for c in union_codes} == {"81"}
    assert {c[:2] for c in enterprise_codes} <= {"91", "12", "11"}
    for ent in Enterprise.objects.select_related("county")[:50]:
        assert ent.uscc[2:8] == ent.county.code


def test_gb11714_check_character() -> None:
    # the standard's example D2143569-X, and the organisation code inside stdnum's USCC example
    assert heze.orgcode_with_check("D2143569") == "D2143569X"
    assert heze.orgcode_with_check("60003734") == "600037341"


def test_paths_depths_and_kinds_are_consistent(demo: str) -> None:
    by_id = {o.pk: o for o in Org.objects.all()}
    for org in by_id.values():
        if org.parent_id is None:
            assert (org.path, org.depth) == (f"/{org.pk}/", 0)
            continue
        parent = by_id[org.parent_id]
        assert org.path == f"{parent.path}{org.pk}/"
        assert org.depth == parent.depth + 1
        assert org.kind in ALLOWED_CHILDREN[parent.kind]
    city = Org.objects.get(code="371700")
    assert city.headcount == sum(
        Org.objects.filter(kind="grassroots").values_list("headcount", flat=True)
    )


def test_one_demo_account_per_role(demo: str) -> None:
    users = {u.username: u for u in User.objects.select_related("org")}
    assert {u.role for u in users.values()} == set(Role.values)
    assert users["cadre_city"].org.code == "371700"
    assert users["cadre_mudan"].org.code == "371702"
    assert users["clerk"].org.kind == "grassroots"
    assert users["member"].org == users["clerk"].org
    for account in loaders.DEMO_ACCOUNTS:
        assert users[account.username].check_password(account.password)


def test_a_printed_account_logs_in(demo: str) -> None:
    account = next(a for a in loaders.DEMO_ACCOUNTS if a.username == "cadre_mudan")
    # axes wants the request among the credentials
    request = RequestFactory().post("/login/")
    client = Client()
    assert client.login(request=request, username=account.username, password=account.password)
    assert client.get("/").status_code == 200
    assert not Client().login(request=request, username=account.username, password="Wrong-1234")
    # and through the login page, as a person would
    page = Client()
    response = page.post("/login/", {"username": "member", "password": "Heze2020-Member"})
    assert response.status_code == 302
    assert page.get(response["Location"]).status_code == 200


def test_second_run_changes_nothing(demo: str) -> None:
    before = _state()
    out = io.StringIO()
    loaders.run_all(out, only=OURS)
    assert _state() == before
    assert "新建 0 个" in out.getvalue()
    assert "新建 0 家" in out.getvalue()
    assert AuditEntry.objects.filter(action="demo.load", object_type="org").count() == 1
    # every demo account exists (the roles', the desks', the modules'); modules may add
    # accounts of their own people (members who asked for legal aid), written once too
    accounts = {a.username for a in loaders.all_demo_accounts()}
    assert accounts <= set(User.objects.values_list("username", flat=True))


def test_loading_fills_in_what_is_missing_only(demo: str) -> None:
    edited = Org.objects.get(code="371702001")
    Org.objects.filter(pk=edited.pk).update(chair="改过的主席")
    users = User.objects.count()
    User.objects.filter(username="auditor").delete()  # an account with no records
    loaders.run_all(io.StringIO(), only=OURS)
    assert Org.objects.get(code="371702001").chair == "改过的主席"
    assert User.objects.filter(username="auditor").count() == 1
    assert User.objects.count() == users


def test_the_generated_data_is_deterministic() -> None:
    first, second = heze.build(), heze.build()
    assert first == second


def test_loaders_run_in_order_and_later_modules_append(db: Any) -> None:
    names = [name for name, _ in loaders.LOADERS]
    assert names[:2] == ["orgs", "accounts"]
    seen: list[int] = []

    def extra(stdout: Any) -> None:
        seen.append(Org.objects.count())

    loaders.register("test-extra", extra)
    try:
        loaders.register("test-extra", extra)  # same name: replaced, not run twice
        loaders.run_all(io.StringIO(), only=[*OURS, "test-extra"])
        assert len(seen) == 1
        assert seen[0] == len(heze.build().orgs)
    finally:
        loaders.LOADERS[:] = [(n, f) for n, f in loaders.LOADERS if n != "test-extra"]
