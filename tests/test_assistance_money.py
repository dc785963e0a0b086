"""Grants (one per family, kind and period unless an override is recorded; approval by amount)
and campaigns (recipients row by row, duplicates in the sheet, in the campaign and in a
conflicting campaign, bulk approval, paid / failed / reissued), with their figures."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.assistance import services
from gonghui.assistance.models import Campaign, GrantStatus, Recipient, RecipientStatus
from gonghui.core import metrics
from gonghui.core.errors import Conflict, Forbidden, InvalidInput
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry

from .conftest import People, Tree
from .test_assistance_files import apply, dibao, to_review  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("dibao")


def cid(n: int) -> str:
    body = f"37170219900101{n:03d}"
    return body + citizen_id_check_char(body)


@pytest.fixture
def archived(people: People, tree: Tree) -> Any:
    family = to_review(people, apply(people, tree))
    return services.family_approve(actor=people.cadre_a, family=family)


def test_one_grant_per_family_kind_and_period_unless_overridden(
    people: People, archived: Any
) -> None:
    first = services.grant_create(
        actor=people.clerk_a, family=archived, kind="living", period="2026", amount="800",
        fund_source="帮扶资金",
    )  # fmt: skip
    with pytest.raises(Conflict) as exc:
        services.grant_create(
            actor=people.clerk_a, family=archived, kind="living", period="2026", amount="500",
            fund_source="帮扶资金",
        )  # fmt: skip
    assert f"#{first.pk}" in exc.value.detail
    second = services.grant_create(
        actor=people.clerk_a, family=archived, kind="living", period="2026", amount="500",
        fund_source="帮扶资金", override_reason="突发重病再次救助",
    )  # fmt: skip
    assert second.override_reason == "突发重病再次救助"
    other = services.grant_create(
        actor=people.clerk_a, family=archived, kind="medical", period="2026", amount="500",
        fund_source="帮扶资金",
    )  # fmt: skip
    assert other.override_reason == ""


def test_approval_by_amount_threshold(people: People, archived: Any) -> None:
    grant = services.grant_create(
        actor=people.clerk_a, family=archived, kind="medical", period="2026H1", amount="3000",
        fund_source="医疗救助资金",
    )  # fmt: skip
    with pytest.raises(Forbidden, match="超出本级审批权限"):
        services.grant_approve(actor=people.clerk_a, grant=grant)
    approved = services.grant_approve(actor=people.cadre_a, grant=grant)
    again = services.grant_approve(actor=people.cadre_a, grant=grant)  # harmless
    assert approved.status == again.status == GrantStatus.APPROVED
    assert AuditEntry.objects.filter(action="assistance.grant_approve").count() == 1
    paid = services.grant_paid(actor=people.clerk_a, grant=grant, on=date(2026, 3, 1))
    assert paid.status == GrantStatus.PAID
    metric = metrics.get("assistance.grants_amount")
    assert metric.value(paid.org, date(2026, 1, 1), date(2026, 12, 31)) == Decimal("3000.00")


def campaign(people: People, tree: Tree, title: str = "送温暖", year: int = 2026) -> Campaign:
    return services.campaign_create(
        actor=people.city_cadre, org=tree.city, title=title, kind="warmth", year=year,
        default_amount="500",
    )  # fmt: skip


def row(n: int, **extra: str) -> dict[str, str]:
    return {"name": f"职工{n}", "id_number": cid(n), "bank_account": f"62170000{n:08d}",
            "org": "G-A-0001", **extra}  # fmt: skip


def rows(*cells: dict[str, str]) -> list[tuple[int, dict[str, str], list[Any]]]:
    return [(i + 2, c, list(c.values())) for i, c in enumerate(cells)]


def test_recipients_row_by_row_with_reasons(people: People, tree: Tree) -> None:
    c = campaign(people, tree)
    result = services.recipients_add(
        actor=people.city_cadre,
        campaign=c,
        rows=rows(
            row(1),
            row(2, amount="-5"),
            row(3, amount="abc"),
            row(4, id_number="371702199001010040"),
            row(5, bank_account="12ab"),
            row(1, name="职工一"),  # the same person again in the sheet
            row(6, org="NOPE"),
            row(7, amount="800"),
        ),
    )
    reasons = {n: reason for n, _cells, reason in result.rejected}
    assert (result.rows, result.created) == (8, 2)
    assert set(reasons) == {3, 4, 5, 6, 7, 8}
    assert "不能为负数" in reasons[3] and "应为金额" in reasons[4]
    assert "校验位" in reasons[5] and "银行账号" in reasons[6]
    assert "第 2 行" in reasons[7] and "NOPE" in reasons[8]
    amounts = sorted(Recipient.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("500.00"), Decimal("800.00")]  # the campaign's default filled in
    again = services.recipients_add(
        actor=people.city_cadre, campaign=c, rows=rows(row(1), row(7, amount="800"))
    )
    assert (again.created, again.unchanged, again.rejected) == (0, 2, [])
    changed = services.recipients_add(
        actor=people.city_cadre, campaign=c, rows=rows(row(1, amount="900"))
    )
    assert "不能重复发放" in changed.rejected[0][2]


def test_a_conflicting_campaign_of_a_union_outside_is_not_named(people: People, tree: Tree) -> None:
    """The conflict note stays on the recipient for everyone who sees the campaign: one
    kept by a union outside the campaign's org is flagged without its title."""
    below = services.campaign_create(
        actor=people.cadre_a, org=tree.county_a, title="牡丹区元旦送温暖", kind="warmth",
        year=2026, default_amount="500",
    )  # fmt: skip
    services.recipients_add(actor=people.cadre_a, campaign=below, rows=rows(row(1)))
    city = campaign(people, tree, "春节送温暖")
    services.recipients_add(actor=people.city_cadre, campaign=city, rows=rows(row(1)))
    # the city sees the county's campaign: named
    assert "牡丹区元旦送温暖" in Recipient.objects.get(campaign=city).conflict
    other = services.campaign_create(
        actor=people.cadre_b, org=tree.county_b, title="曹县送温暖", kind="warmth",
        year=2026, default_amount="500",
    )  # fmt: skip
    result = services.recipients_add(
        actor=people.cadre_b, campaign=other, rows=rows(row(1, org=tree.union_b.code))
    )
    assert result.conflicts == 1
    note = Recipient.objects.get(campaign=other).conflict
    assert "其他工会的同类活动" in note
    assert "牡丹区" not in note and "春节送温暖" not in note


def test_a_conflicting_campaign_is_shown_and_bulk_approval_and_payment(
    people: People, tree: Tree
) -> None:
    first = campaign(people, tree, "元旦送温暖")
    services.recipients_add(actor=people.city_cadre, campaign=first, rows=rows(row(1)))
    second = campaign(people, tree, "春节送温暖")
    result = services.recipients_add(
        actor=people.city_cadre, campaign=second, rows=rows(row(1), row(2), row(3))
    )
    assert (result.created, result.conflicts) == (3, 1)
    flagged = Recipient.objects.get(campaign=second, name="职工1")
    assert "元旦送温暖" in flagged.conflict
    assert services.recipients_approve(actor=people.city_cadre, campaign=second) == 3
    assert services.recipients_approve(actor=people.city_cadre, campaign=second) == 0
    failed = Recipient.objects.get(campaign=second, name="职工3")
    out = services.recipients_paid(
        actor=people.city_cadre, campaign=second, on=date(2026, 1, 20),
        failed={failed.pk: "户名与账号不符"},
    )  # fmt: skip
    assert out == {"paid": 2, "failed": 1}
    failed.refresh_from_db()
    assert (failed.status, failed.fail_reason) == (RecipientStatus.FAILED, "户名与账号不符")
    assert services.recipients_reissue(actor=people.city_cadre, campaign=second) == 1
    assert services.recipients_paid(
        actor=people.city_cadre, campaign=second, on=date(2026, 2, 1)
    ) == {
        "paid": 1,
        "failed": 0,
    }
    recipients = metrics.get("assistance.recipients")
    assert recipients.value(tree.city, date(2026, 1, 1), date(2026, 1, 31)) == 2
    assert recipients.value(tree.county_b, date(2026, 1, 1), date(2026, 12, 31)) == 0


def test_the_condolence_figure_sums_what_was_paid(people: People, tree: Tree) -> None:
    c = services.campaign_create(
        actor=people.city_cadre, org=tree.city, title="慰问", kind="condolence", year=2020
    )
    services.recipients_add(
        actor=people.city_cadre, campaign=c,
        rows=rows(row(1, amount="2000"), row(2, amount="600", org="G-B-0001"),
                  row(3, amount="600")),
    )  # fmt: skip
    services.recipients_approve(actor=people.city_cadre, campaign=c)
    services.recipients_paid(actor=people.city_cadre, campaign=c, on=date(2020, 3, 1))
    figure = metrics.get("assistance.campaign_amount")
    assert figure.value(tree.city, date(2020, 1, 1), date(2020, 9, 19)) == Decimal("3200.00")
    assert figure.value(tree.county_a, date(2020, 1, 1), date(2020, 9, 19)) == Decimal("2600.00")
    assert figure.value(tree.city, date(2020, 3, 2), date(2020, 9, 19)) == Decimal("0")


def test_campaigns_belong_to_the_county_level_and_above(people: People, tree: Tree) -> None:
    with pytest.raises(Forbidden):
        services.campaign_create(
            actor=people.clerk_a, org=tree.union_a, title="x", kind="warmth", year=2026
        )


def test_recipient_sheet_import_through_the_api(people: People, tree: Tree, api: Any) -> None:
    c = campaign(people, tree)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "单位代码", "开户行", "账号", "金额"])
    sheet.append(["张三", cid(11), "G-A-0001", "农行", "6217000000000011", "500"])
    sheet.append(["李四", "123", "G-A-0001", "农行", "6217000000000012", "500"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("名单.xlsx", buffer.getvalue())
    r = api(people.city_cadre).post(f"/api/v1/assistance/campaigns/{c.pk}/import", {"file": upload})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["created"], body["rejected"][0]["row"]) == (1, 3)
    listed = api(people.city_cadre).get(f"/api/v1/assistance/campaigns/{c.pk}/recipients").json()
    assert listed["items"][0]["name"] == "张*" and cid(11) not in str(listed)
    assert api(people.cadre_b).get(f"/api/v1/assistance/campaigns/{c.pk}").status_code == 404
    assert api(people.member_a).get("/api/v1/assistance/campaigns").status_code == 403


def test_campaign_pages(people: People, tree: Tree, login: Any) -> None:
    c = campaign(people, tree)
    services.recipients_add(actor=people.city_cadre, campaign=c, rows=rows(row(1)))
    page = login(people.city_cadre).get(f"/assistance/campaigns/{c.pk}/")
    assert page.status_code == 200 and "职*1" in page.content.decode()
    r = login(people.city_cadre).post(f"/assistance/campaigns/{c.pk}/approve/")
    assert r.status_code == 302
    assert Recipient.objects.get().status == RecipientStatus.APPROVED
    assert login(people.cadre_b).get(f"/assistance/campaigns/{c.pk}/").status_code == 404
    assert login(people.clerk_a).post(f"/assistance/campaigns/{c.pk}/paid/").status_code == 404
    assert Recipient.objects.get().status == RecipientStatus.APPROVED


def test_a_campaign_is_paid_through_a_payments_batch_and_read_back(
    people: People, tree: Tree
) -> None:
    from gonghui.payments import services as payments
    from gonghui.payments.models import Line

    c = campaign(people, tree)
    services.recipients_add(actor=people.city_cadre, campaign=c, rows=rows(row(1), row(2), row(3)))
    services.recipients_approve(actor=people.city_cadre, campaign=c)
    batch = services.campaign_pay(actor=people.city_cadre, campaign=c)
    assert batch is not None and batch.lines.count() == 3
    assert services.campaign_pay(actor=people.city_cadre, campaign=c) is None  # nobody twice
    payments.approve(batch, by=people.admin)
    payments.export_bank_file(batch, by=people.city_cadre)
    lines = {line.payee_name: line for line in Line.objects.filter(batch=batch)}
    payments.record_results(
        batch,
        [
            (lines["职工1"], "paid", "", date(2026, 1, 20)),
            (lines["职工2"], "paid", "", date(2026, 1, 20)),
            (lines["职工3"], "failed", "账号已销户", None),
        ],
        by=people.city_cadre,
    )
    assert services.payments_sync(actor=people.city_cadre, campaign=c) == {"paid": 2, "failed": 1}
    assert services.payments_sync(actor=people.city_cadre, campaign=c) == {"paid": 0, "failed": 0}
    failed = Recipient.objects.get(name="职工3")
    assert (failed.status, failed.fail_reason) == (RecipientStatus.FAILED, "账号已销户")
    assert Recipient.objects.get(name="职工1").paid_on == date(2026, 1, 20)
    # the failed one is paid again in a new batch, the paid ones are not
    services.recipients_reissue(actor=people.city_cadre, campaign=c)
    again = services.campaign_pay(actor=people.city_cadre, campaign=c)
    assert again is not None and again.pk != batch.pk
    assert [line.payee_name for line in again.lines.all()] == ["职工3"]


def test_grants_are_paid_through_payments(people: People, archived: Any) -> None:
    from gonghui.payments import services as payments

    grant = services.grant_create(
        actor=people.clerk_a, family=archived, kind="living", period="2026", amount="800",
        fund_source="帮扶资金",
    )  # fmt: skip
    services.grant_approve(actor=people.cadre_a, grant=grant)
    batch = services.grants_pay(actor=people.cadre_a, org=archived.org.parent, grants=[grant])
    assert batch is not None
    line = batch.lines.get()
    assert (line.reference, line.amount) == ("assistance.grant:living:2026", Decimal("800.00"))
    payments.approve(batch, by=people.city_cadre)
    payments.export_bank_file(batch, by=people.cadre_a)
    payments.record_results(batch, [(line, "paid", "", date(2026, 2, 1))], by=people.cadre_a)
    services.payments_sync(actor=people.cadre_a)
    grant.refresh_from_db()
    assert (grant.status, grant.paid_on) == (GrantStatus.PAID, date(2026, 2, 1))


def test_a_second_grant_of_a_kind_and_period_is_paid_only_with_its_override(
    people: People, archived: Any
) -> None:
    from gonghui.payments.models import Line

    def approved(amount: str, **extra: str) -> Any:
        grant = services.grant_create(
            actor=people.clerk_a, family=archived, kind="living", period="2026", amount=amount,
            fund_source="帮扶资金", **extra,
        )  # fmt: skip
        return services.grant_approve(actor=people.cadre_a, grant=grant)

    first = approved("800")
    second = approved("500", override_reason="突发重病再次救助")
    batch = services.grants_pay(actor=people.cadre_a, org=archived.org, grants=[first, second])
    assert batch is not None
    lines = list(batch.lines.order_by("seq"))
    assert [x.override_reason for x in lines] == ["", "突发重病再次救助"]
    assert AuditEntry.objects.filter(action="payments.lines_add").count() == 1
    # the override on the grant was cleared behind the payments app's back: it refuses
    third = approved("300", override_reason="再次救助")
    type(third).objects.filter(pk=third.pk).update(override_reason="")
    third.refresh_from_db()
    with pytest.raises(InvalidInput) as exc:
        services.grants_pay(actor=people.cadre_a, org=archived.org, grants=[third])
    message = exc.value.errors[0]["message"]
    assert message.startswith(f"#{third.pk}：重复支付") and f"代发批次{batch.pk}第1行" in message
    assert Line.objects.count() == 2  # nothing of the refused batch was kept


def test_a_recipient_already_on_a_live_line_is_named_and_nothing_is_written(
    people: People, tree: Tree
) -> None:
    from gonghui.payments import services as payments
    from gonghui.payments.models import Batch, Line

    c = campaign(people, tree)
    services.recipients_add(actor=people.city_cadre, campaign=c, rows=rows(row(1), row(2)))
    services.recipients_approve(actor=people.city_cadre, campaign=c)
    batch = services.campaign_pay(actor=people.city_cadre, campaign=c)
    assert batch is not None
    payments.approve(batch, by=people.admin)
    payments.export_bank_file(batch, by=people.city_cadre)
    lines = {x.payee_name: x for x in batch.lines.all()}
    payments.record_results(
        batch,
        [(lines["职工1"], "paid", "", date(2026, 1, 20)), (lines["职工2"], "failed", "销户", None)],
        by=people.city_cadre,
    )
    # the payments page reissued the failed line directly: a live line the campaign does not
    # know about yet; paying the campaign again must not pay 职工2 a second time
    payments.reissue(lines["职工2"], by=people.city_cadre, bank_account="6217000099990002")
    batches, count = Batch.objects.count(), Line.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.campaign_pay(actor=people.city_cadre, campaign=c)
    assert exc.value.errors[0]["field"] == "recipients"
    assert exc.value.errors[0]["message"].startswith("职工2：重复支付")
    assert (Batch.objects.count(), Line.objects.count()) == (batches, count)
