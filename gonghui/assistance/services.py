"""Writes of the assistance module. Every write is one transaction with its audit row; every
workflow step is also an event on the file's timeline.

Checks run in this order: the record is visible to the actor (else 404, as if missing), the
role may do this at all (403), the step is allowed in this state (409 naming what is), the
actor sits at the right org (403: only an org *above* the file's union reviews it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, notices
from gonghui.core.deadlines import due_on
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import normalise, normalise_mobile, parse_citizen_id
from gonghui.core.roles import Role, can, in_subtree
from gonghui.orgs.models import Org

from .classification import Result, classify, money
from .models import (
    ApprovalLimit,
    Attachment,
    AttachmentKind,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Cause,
    DibaoStandard,
    ExitKind,
    Expense,
    ExpenseKind,
    Family,
    FamilyEvent,
    Grant,
    GrantKind,
    GrantStatus,
    Hukou,
    Recipient,
    RecipientStatus,
    Relation,
    Relative,
    Sex,
    Status,
    WorkStatus,
)
from .workflow import INVESTIGATE_WORKDAYS, NOTICE_WORKDAYS, WORKFLOW

AUDITED = (
    "status",
    "category",
    "household_size",
    "per_capita",
    "dibao",
    "threshold",
    "rule",
    "archived_on",
    "exit_kind",
    "exit_reason",
    "exited_on",
    "last_survey_on",
    "last_verified_on",
)
EVIDENCE_RETAIN_DAYS = 365 * 10  # an archive's evidence is kept with the archive
MAX_RELATIVES = 20
MAX_EXPENSES = 30


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _str(
    data: Mapping[str, Any], key: str, *, limit: int, label: str, required: bool = False
) -> str:
    value = str(data.get(key) or "").strip()
    if "\x00" in value:
        raise InvalidInput.one(key, _("不能包含空字符（NUL）"))
    if required and not value:
        raise InvalidInput.one(key, _("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise InvalidInput.one(
            key, _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit}
        )
    return value


def _choice(
    data: Mapping[str, Any], key: str, choices: Any, *, label: str, required: bool = False
) -> str:
    value = str(data.get(key) or "").strip()
    if not value:
        if required:
            raise InvalidInput.one(key, _("请选择%(label)s。") % {"label": label})
        return ""
    for choice in choices:
        if value in (choice.value, str(choice.label)):
            return str(choice.value)
    raise InvalidInput.one(key, _("%(label)s的取值不在可选范围内。") % {"label": label})


def _bool(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "on", "yes", "是", "y"}


def _id_number(value: Any, key: str = "id_number", *, required: bool = True) -> str:
    if not str(value or "").strip():
        if required:
            raise InvalidInput.one(key, _("请填写身份证号。"))
        return ""
    try:
        return parse_citizen_id(value).number
    except ValidationError as exc:
        raise InvalidInput.one(key, exc.messages[0]) from None


def _size(value: Any) -> int:
    try:
        size = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput.one("household_size", _("家庭人口应为整数。")) from None
    if not 1 <= size <= 30:
        raise InvalidInput.one("household_size", _("家庭人口应在1至30人之间。"))
    return size


def _dec(text: str) -> Decimal:
    return Decimal(text) if text else Decimal("0")


# --- 低保 standards ----------------------------------------------------------------------


def region_of(org: Org) -> str:
    """The administrative region whose 低保 applies to a union: its own code, else its nearest
    ancestor's (a grassroots union lies in its county)."""
    if org.region_code:
        return org.region_code
    for ancestor in org.ancestors().order_by("-depth"):
        if ancestor.region_code:
            return ancestor.region_code
    return ""


def dibao_for(org: Org, year: int) -> DibaoStandard:
    """The year's 低保 of the union's region; a region without its own row takes its city's
    (``3717xx`` → ``371700``). None set: InvalidInput naming what to configure."""
    region = region_of(org)
    candidates = [region, region[:4] + "00"] if region else []
    rows = {
        row.region_code: row
        for row in DibaoStandard.objects.filter(region_code__in=candidates, year=year)
    }
    for code in candidates:
        if code in rows:
            return rows[code]
    raise InvalidInput.one(
        "dibao",
        _("尚未设置 %(year)d 年%(region)s的低保标准，请先在“低保标准”中录入。")
        % {"year": year, "region": region or org.name},
    )


def dibao_set(
    *, actor: Any, region_code: str, year: Any, monthly: Any, region_name: str = ""
) -> DibaoStandard:
    if not can(actor, "assistance.configure"):
        raise Forbidden(_("当前角色不能设置低保标准。"))
    code = normalise(region_code)
    if not code.isdigit() or len(code) != 6:
        raise InvalidInput.one("region_code", _("行政区划代码应为6位数字。"))
    try:
        year_n = int(str(year))
    except ValueError:
        raise InvalidInput.one("year", _("年度应为4位数字。")) from None
    if not 2000 <= year_n <= 2100:
        raise InvalidInput.one("year", _("年度应在2000至2100之间。"))
    amount = money(monthly, "monthly", label=_("低保标准"))
    if amount <= 0:
        raise InvalidInput.one("monthly", _("低保标准应大于0。"))
    region_name = _str({"n": region_name}, "n", limit=50, label=_("地区"))
    with transaction.atomic():
        row = DibaoStandard.objects.filter(region_code=code, year=year_n).first()
        before = audit.snapshot(row, ("monthly", "region_name")) if row else {}
        if row is None:
            row = DibaoStandard.objects.create(
                region_code=code, year=year_n, monthly=amount, region_name=region_name
            )
        else:
            row.monthly = amount
            row.region_name = region_name or row.region_name
            row.save(update_fields=["monthly", "region_name", "updated_at"])
        changes = audit.diff(before, audit.snapshot(row, ("monthly", "region_name")))
        if changes:
            audit.record(
                actor=actor,
                action="assistance.dibao",
                object_type="dibao",
                object_id=row.pk,
                object_repr=str(row),
                changes=changes,
            )
    return row


# --- the eligibility check (no writes) ----------------------------------------------------------


def eligibility(*, org: Org, data: Mapping[str, Any], year: int | None = None) -> Result:
    """What category a household would get, and why: the worker's self-test and the
    investigator's preview. Nothing is written."""
    income = money(data.get("household_income"), "household_income", label=_("家庭年可支配收入"))
    expenses = money(data.get("rigid_expenses"), "rigid_expenses", label=_("家庭年刚性支出"))
    costs = money(data.get("hardship_costs"), "hardship_costs", label=_("本年致困支出或损失"))
    size = _size(data.get("household_size") or 1)
    year = year or _today(None).year
    standard = dibao_for(org, year)
    return classify(
        household_income=income,
        rigid_expenses=expenses,
        household_size=size,
        dibao=standard.monthly,
        hardship_costs=costs,
        major_event=_bool(data.get("major_event")),
    )


# --- the file -------------------------------------------------------------------------------


def _number(applied_on: date) -> str:
    """``KN2020-000012``: the year and a running number."""
    prefix = f"KN{applied_on.year}-"
    last = (
        Family.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:06d}"


def _event(
    family: Family, *, actor: Any, action: str, before: str, note: str = "", on: date | None = None
) -> None:
    is_user = getattr(actor, "is_authenticated", False)
    FamilyEvent.objects.create(
        family=family,
        action=action,
        from_status=before,
        to_status=family.status,
        actor=actor if is_user else None,
        actor_name=(actor.get_username() if is_user else str(actor or "system"))[:150],
        org_id=getattr(actor, "org_id", None) if is_user else None,
        on=_today(on),
        note=note[:2000],
    )


def _audit(actor: Any, family: Family, action: str, before: dict[str, Any], note: str = "") -> None:
    audit.record(
        actor=actor,
        action=f"assistance.{action}",
        object_type="family",
        object_id=family.pk,
        object_org=family.org,
        object_repr=family.number,
        changes=audit.diff(before, audit.snapshot(family, AUDITED)),
        note=note[:500],
    )


def original_of(id_number: str, *, exclude: int | None = None) -> Family | None:
    """The live file of the same person (any union): the original a second application
    would copy. The earliest applied wins."""
    qs = Family.objects.filter(
        id_number_bidx=blind_index_for("citizen_id", id_number),
        status__in=(
            *(
                s.value
                for s in Status
                if s not in (Status.REJECTED, Status.EXITED, Status.CANCELLED)
            ),
        ),
    ).select_related("org")
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("applied_on", "pk").first()


PERSON_FIELDS: dict[str, tuple[int, str]] = {
    "ethnicity": (20, "民族"),
    "political_status": (20, "政治面貌"),
    "model_worker": (20, "劳模类型"),
    "housing": (50, "住房情况"),
    "industry": (50, "所属行业"),
    "marital_status": (20, "婚姻状况"),
    "employer": (100, "工作单位"),
    "unit_nature": (30, "单位性质"),
    "enterprise_status": (30, "企业状况"),
    "hukou_region": (50, "户籍地"),
    "medical_insurance": (30, "医疗保险"),
    "bank_name": (100, "开户行"),
}
SECRET_TEXT: dict[str, tuple[int, str]] = {
    "health": (200, "健康状况"),
    "disability": (200, "残疾情况"),
    "address": (200, "家庭住址"),
}


def _person_fields(family: Family, data: Mapping[str, Any], *, partial: bool) -> None:
    """The worker's archive fields from ``data`` (a partial update keeps what is absent)."""
    for key, (limit, label) in {**PERSON_FIELDS, **SECRET_TEXT}.items():
        if partial and key not in data:
            continue
        setattr(family, key, _str(data, key, limit=limit, label=label))
    choices: dict[str, tuple[Any, str]] = {
        "sex": (Sex, "性别"),
        "work_status": (WorkStatus, "工作状况"),
        "hukou_type": (Hukou, "户口类型"),
        "secondary_cause": (Cause, "次要致困原因"),
    }
    for key, (kind, label) in choices.items():
        if partial and key not in data:
            continue
        setattr(family, key, _choice(data, key, kind, label=label))
    if not partial or "main_cause" in data:
        family.main_cause = _choice(
            data, "main_cause", Cause, label=_("主要致困原因"), required=True
        )
    for key in ("single_parent", "zero_employment", "major_event"):
        if not partial or key in data:
            setattr(family, key, _bool(data.get(key)))
    if not partial or "phone" in data:
        phone = str(data.get("phone") or "").strip()
        if phone:
            try:
                phone = normalise_mobile(phone)
            except ValidationError as exc:
                raise InvalidInput.one("phone", exc.messages[0]) from None
        family.phone = phone
    if not partial or "bank_account" in data:
        account = normalise(data.get("bank_account") or "")
        if account and (not account.isdigit() or not 8 <= len(account) <= 30):
            raise InvalidInput.one("bank_account", _("银行账号应为8至30位数字。"))
        family.bank_account = account


def _income_fields(family: Family, data: Mapping[str, Any], *, partial: bool) -> None:
    labels = {
        "own_monthly_income": _("本人月收入"),
        "household_income": _("家庭年可支配收入"),
        "hardship_costs": _("本年致困支出或损失"),
    }
    for key, label in labels.items():
        if partial and key not in data:
            continue
        setattr(family, key, str(money(data.get(key), key, label=label)))
    if not partial or "household_size" in data:
        family.household_size = _size(data.get("household_size") or 1)


def _relatives(family: Family, rows: Iterable[Mapping[str, Any]]) -> None:
    rows = list(rows)
    if len(rows) > MAX_RELATIVES:
        raise InvalidInput.one("relatives", _("家庭成员最多 %(n)d 人。") % {"n": MAX_RELATIVES})
    objs = []
    for i, row in enumerate(rows):
        key = f"relatives[{i}]"
        name = _str(row, "name", limit=50, label=_("家庭成员姓名"))
        if not name:
            raise InvalidInput.one(f"{key}.name", _("请填写家庭成员姓名。"))
        objs.append(
            Relative(
                family=family,
                name=name,
                relation=_choice(row, "relation", Relation, label=_("与本人关系"), required=True),
                id_number=_id_number(row.get("id_number"), f"{key}.id_number", required=False),
                monthly_income=str(
                    money(row.get("monthly_income"), f"{key}.monthly_income", label=_("月收入"))
                ),
                health=_str(row, "health", limit=200, label=_("健康状况")),
                employer_or_school=_str(
                    row, "employer_or_school", limit=100, label=_("工作单位或学校")
                ),
            )
        )
    family.relatives.all().delete()
    Relative.objects.bulk_create(objs)


def _expenses(family: Family, rows: Iterable[Mapping[str, Any]]) -> Decimal:
    rows = list(rows)
    if len(rows) > MAX_EXPENSES:
        raise InvalidInput.one("expenses", _("刚性支出最多 %(n)d 项。") % {"n": MAX_EXPENSES})
    objs, total = [], Decimal("0")
    for i, row in enumerate(rows):
        key = f"expenses[{i}]"
        amount = money(row.get("amount"), f"{key}.amount", label=_("支出金额"))
        total += amount
        objs.append(
            Expense(
                family=family,
                kind=_choice(row, "kind", ExpenseKind, label=_("支出类别"), required=True),
                amount=str(amount),
                note=_str(row, "note", limit=200, label=_("说明")),
            )
        )
    family.expenses.all().delete()
    Expense.objects.bulk_create(objs)
    return total


def _applicant_org(actor: Any, data: Mapping[str, Any]) -> tuple[Org, Any]:
    """A member applies through their own union; staff record an application for a union in
    their subtree (``org``: its code)."""
    from gonghui.members.models import Member

    if getattr(actor, "role", "") == Role.MEMBER:
        member = Member.objects.filter(user=actor).select_related("org").first()
        org = member.org if member is not None else actor.org
        if org is None:
            raise InvalidInput.one("org", _("您的账号未关联工会，无法申请。"))
        return org, member
    if not can(actor, "assistance.handle"):
        raise Forbidden(_("当前角色不能登记困难职工申请。"))
    code = str(data.get("org") or "").strip() or actor.org.code
    org = Org.objects.filter(code=code).first()
    if org is None or not in_subtree(actor, org):
        raise InvalidInput.one("org", _("请选择本单位或下级的工会。"))
    return org, None


def family_apply(
    *,
    actor: Any,
    data: Mapping[str, Any],
    relatives: Iterable[Mapping[str, Any]] = (),
    expenses: Iterable[Mapping[str, Any]] = (),
    applied_on: date | None = None,
) -> Family:
    """A written application (with the income pledge and the authorisation, confirmed by
    ``pledge``): by the worker in the portal, or recorded by the union. A second application
    of a person whose file is live is refused naming the original."""
    org, member = _applicant_org(actor, data)
    if not _bool(data.get("pledge")):
        raise InvalidInput.one("pledge", _("请确认收入承诺并授权工会核查家庭收入。"))
    name = _str(data, "name", limit=50, label=_("姓名"), required=True)
    id_number = _id_number(data.get("id_number"))
    if member is not None and member.id_number and member.id_number != id_number:
        raise InvalidInput.one("id_number", _("身份证号与您的会员信息不一致。"))
    applied_on = _today(applied_on)
    with transaction.atomic():
        original = original_of(id_number)
        if original is not None:
            if not Family.objects.visible_to(actor).filter(pk=original.pk).exists():
                # kept by a union outside the actor's scope: the rule (one live file a
                # person) holds, but which union keeps it, its number and its state are
                # not the actor's to learn by typing an ID number
                raise Conflict(
                    _(
                        "该职工已在其他工会建有困难职工档案，不能重复申请；"
                        "如需转入，请联系上级工会办理。"
                    )
                )
            raise Conflict(
                _("该职工已有困难职工档案 %(number)s（%(org)s，%(status)s），不能重复申请。")
                % {
                    "number": original.number,
                    "org": original.org.name,
                    "status": original.get_status_display(),
                },
                original=original.number,
            )
        if member is None:
            from gonghui.members.models import Member

            member = Member.objects.filter(
                id_number_bidx=blind_index_for("citizen_id", id_number)
            ).first()
        family = Family(
            org=org,
            member=member,
            number=_number(applied_on),
            name=name,
            id_number=id_number,
            birth_date=parse_citizen_id(id_number).birth_date,
            applied_on=applied_on,
            investigate_due=due_on(applied_on, INVESTIGATE_WORKDAYS),
            filed_by=actor if getattr(actor, "is_authenticated", False) else None,
            entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _person_fields(family, data, partial=False)
        if not family.sex:
            family.sex = parse_citizen_id(id_number).sex
        _income_fields(family, data, partial=False)
        family.save()
        if relatives:
            _relatives(family, relatives)
        total = _expenses(family, expenses) if expenses else Decimal("0")
        family.rigid_expenses = str(total)
        _preview(family)
        family.save(update_fields=["rigid_expenses", "per_capita", "updated_at"])
        _event(family, actor=actor, action="apply", before="", on=applied_on)
        _audit(actor, family, "apply", {})
    return family


def _preview(family: Family) -> None:
    """The per-capita monthly income of what is recorded now (shown while the file moves)."""
    income, expenses = _dec(family.household_income), _dec(family.rigid_expenses)
    from .classification import per_capita_monthly

    family.per_capita = str(per_capita_monthly(income, expenses, family.household_size))


def _visible(actor: Any, family: Family) -> None:
    if not Family.objects.visible_to(actor).filter(pk=family.pk).exists():
        raise NotFound()


def _handles(actor: Any, family: Family) -> bool:
    return can(actor, "assistance.handle", family.org)


def _is_above(actor: Any, family: Family) -> bool:
    """The review is for an org strictly above the file's union."""
    home = getattr(actor, "org", None)
    return bool(
        home is not None and family.org.path.startswith(home.path) and home.pk != family.org_id
    )


def _step(
    *,
    actor: Any,
    family: Family,
    name: str,
    apply: Callable[[Family], list[str]] | None = None,
    note: str = "",
    on: date | None = None,
    perm: str = "assistance.handle",
) -> Family:
    if not getattr(actor, "is_authenticated", False) or actor.role == Role.MEMBER:
        raise NotFound()
    with transaction.atomic():
        _visible(actor, family)
        locked = Family.objects.select_for_update().get(pk=family.pk)
        if not can(actor, perm):
            raise Forbidden(_("当前角色不能办理困难职工档案。"))
        WORKFLOW.check(locked.status, name, actor.role)
        before = audit.snapshot(locked, AUDITED)
        from_status = locked.status
        locked.status = WORKFLOW.get(name).target
        fields = ["status", "updated_at"]
        if apply is not None:
            fields += apply(locked)
        locked.save(update_fields=list(dict.fromkeys(fields)))
        _event(locked, actor=actor, action=name, before=from_status, note=note, on=on)
        _audit(actor, locked, name, before, note)
    return locked


def family_investigate(
    *,
    actor: Any,
    family: Family,
    data: Mapping[str, Any],
    relatives: Iterable[Mapping[str, Any]] | None = None,
    expenses: Iterable[Mapping[str, Any]] | None = None,
    on: date | None = None,
) -> Family:
    """The union's household investigation: the household, each member's income, the rigid
    expenses, the investigator's findings. Within 5 working days of the application (a
    late investigation is recorded, and the card on the due list shows it was late)."""
    findings = _str(data, "investigation", limit=5000, label=_("调查情况"), required=True)
    day = _today(on)

    def apply(f: Family) -> list[str]:
        _person_fields(f, data, partial=True)
        _income_fields(f, data, partial=True)
        if relatives is not None:
            _relatives(f, relatives)
        if expenses is not None:
            f.rigid_expenses = str(_expenses(f, expenses))
        _preview(f)
        f.investigation = findings
        f.investigated_on = day
        f.investigated_by = actor
        return [
            *PERSON_FIELDS,
            *SECRET_TEXT,
            "sex",
            "work_status",
            "hukou_type",
            "secondary_cause",
            "main_cause",
            "single_parent",
            "zero_employment",
            "major_event",
            "phone",
            "bank_account",
            "own_monthly_income",
            "household_income",
            "hardship_costs",
            "household_size",
            "rigid_expenses",
            "per_capita",
            "investigation",
            "investigated_on",
            "investigated_by",
        ]

    return _step(
        actor=actor, family=family, name="investigate", apply=apply, note=findings[:200], on=day
    )


def family_deliberate(
    *, actor: Any, family: Family, opinion: str, on: date | None = None
) -> Family:
    """The union's democratic deliberation (民主评议) and its opinion."""
    opinion = _str({"o": opinion}, "o", limit=5000, label=_("评议意见"))
    if not opinion:
        raise InvalidInput.one("opinion", _("请填写评议意见。"))
    day = _today(on)

    def apply(f: Family) -> list[str]:
        f.deliberation, f.deliberated_on = opinion, day
        return ["deliberation", "deliberated_on"]

    return _step(
        actor=actor, family=family, name="deliberate", apply=apply, note=opinion[:200], on=day
    )


def family_publish(
    *, actor: Any, family: Family, days: int = NOTICE_WORKDAYS, starts_on: date | None = None
) -> Family:
    """Post the public notice (公示) of the deliberation: ``days`` working days, objections
    in the portal or recorded by staff. The worker's name is masked on the notice."""
    from gonghui.core.masking import mask_name

    def apply(f: Family) -> list[str]:
        notices.open_notice(
            f,
            org=f.org,
            title=_("困难职工建档公示：%(name)s（%(org)s）")
            % {"name": mask_name(f.name), "org": f.org.name},
            body=_(
                "经入户调查和民主评议，拟将%(name)s家庭纳入困难职工档案。如有异议，请在公示期内提出。"
            )
            % {"name": mask_name(f.name)},
            by=actor,
            days=days,
            starts_on=starts_on,
        )
        return []

    return _step(actor=actor, family=family, name="publish", apply=apply, on=starts_on)


def family_submit_review(*, actor: Any, family: Family, today: date | None = None) -> Family:
    """Report to the level above once the notice has passed without a standing objection."""
    outcome = notices.outcome(family, today=_today(today))
    if outcome != notices.PASSED:
        raise Conflict(
            _("公示结果为“%(outcome)s”，公示期满且无异议（或异议不成立）后才能报上级审核。")
            % {"outcome": notices.OUTCOME_LABELS.get(outcome, outcome)}
        )
    return _step(actor=actor, family=family, name="submit_review", on=today)


def _classify(family: Family, year: int) -> Result:
    standard = dibao_for(family.org, year)
    return classify(
        household_income=_dec(family.household_income),
        rigid_expenses=_dec(family.rigid_expenses),
        household_size=family.household_size,
        dibao=standard.monthly,
        hardship_costs=_dec(family.hardship_costs),
        major_event=family.major_event,
    )


def _set_result(f: Family, result: Result, year: int) -> list[str]:
    f.category = result.category
    f.per_capita = str(result.per_capita)
    f.dibao = result.dibao
    f.threshold = result.threshold
    f.rule = result.rule
    f.explanation = result.explanation
    f.year = year
    return ["category", "per_capita", "dibao", "threshold", "rule", "explanation", "year"]


def family_approve(*, actor: Any, family: Family, note: str = "", on: date | None = None) -> Family:
    """The level above approves: the family is archived with its category computed by rule
    (the year's 低保 of its region). A household the rule does not qualify is refused here:
    the reviewer sends it back or rejects it."""
    day = _today(on)
    note = _str({"n": note}, "n", limit=2000, label=_("审核意见"))
    if not _is_above(actor, family):
        _visible(actor, family)
        raise Forbidden(_("困难职工档案由上级工会审核。"))

    def apply(f: Family) -> list[str]:
        result = _classify(f, day.year)
        if not result.category:
            raise Conflict(result.explanation)
        f.reviewed_on, f.reviewed_by, f.review_note = day, actor, note
        f.archived_on = day
        f.last_verified_on = day
        return [
            *_set_result(f, result, day.year),
            "reviewed_on",
            "reviewed_by",
            "review_note",
            "archived_on",
            "last_verified_on",
        ]

    return _step(
        actor=actor,
        family=family,
        name="approve",
        apply=apply,
        note=note,
        on=day,
        perm="assistance.review",
    )


def family_send_back(*, actor: Any, family: Family, reason: str) -> Family:
    reason = _str({"reason": reason}, "reason", limit=2000, label=_("退回理由"), required=True)
    return _step(actor=actor, family=family, name="send_back", note=reason)


def family_reject(*, actor: Any, family: Family, reason: str) -> Family:
    reason = _str({"reason": reason}, "reason", limit=2000, label=_("不予建档理由"), required=True)
    return _step(actor=actor, family=family, name="reject", note=reason)


def family_survey(*, actor: Any, family: Family, note: str, on: date | None = None) -> Family:
    """The half-yearly survey (走访) of an archived family."""
    note = _str({"note": note}, "note", limit=2000, label=_("走访情况"), required=True)
    day = _today(on)

    def apply(f: Family) -> list[str]:
        f.last_survey_on = day
        return ["last_survey_on"]

    return _step(actor=actor, family=family, name="survey", apply=apply, note=note, on=day)


def family_verify(
    *,
    actor: Any,
    family: Family,
    data: Mapping[str, Any] | None = None,
    note: str = "",
    on: date | None = None,
) -> Family:
    """The yearly re-verification: the income as found now, classified again with this year's
    低保. A household that no longer qualifies must exit (the verification says so)."""
    day = _today(on)
    data = data or {}

    def apply(f: Family) -> list[str]:
        _income_fields(f, data, partial=True)
        result = _classify(f, day.year)
        if not result.category:
            raise Conflict(result.explanation + _("请办理解困脱困。"))
        f.last_verified_on = day
        return [
            *_set_result(f, result, day.year),
            "own_monthly_income",
            "household_income",
            "hardship_costs",
            "household_size",
            "last_verified_on",
        ]

    return _step(actor=actor, family=family, name="verify", apply=apply, note=note, on=day)


def family_exit(
    *, actor: Any, family: Family, kind: str, reason: str, on: date | None = None
) -> Family:
    """解困脱困 or 注销, with its reason kept."""
    reason = _str({"reason": reason}, "reason", limit=2000, label=_("退出原因"), required=True)
    kind = _choice({"kind": kind}, "kind", ExitKind, label=_("退出方式"), required=True)
    day = _today(on)

    def apply(f: Family) -> list[str]:
        f.exit_kind, f.exit_reason, f.exited_on = kind, reason, day
        return ["exit_kind", "exit_reason", "exited_on"]

    name = "exit" if kind == ExitKind.RELIEVED else "cancel"
    return _step(actor=actor, family=family, name=name, apply=apply, note=reason, on=day)


REVEALED = ("id_number", "phone", "address", "bank_account", "health", "disability")


def family_reveal(*, actor: Any, family: Family, reason: str = "") -> dict[str, str]:
    """The sensitive fields in full, for a user with the reveal right in the file's subtree;
    one audit row naming the fields."""
    _visible(actor, family)
    if not can(actor, "assistance.reveal", family.org):
        raise Forbidden(_("当前角色无权查看完整的个人信息。"))
    reason = _str({"reason": reason}, "reason", limit=200, label=_("查看事由"))
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="assistance.reveal",
            object_type="family",
            object_id=family.pk,
            object_org=family.org,
            object_repr=family.number,
            changes={"revealed": {"before": None, "after": list(REVEALED)}},
            note=reason,
        )
    return {name: str(getattr(family, name) or "") for name in REVEALED}


def family_attach(*, actor: Any, family: Family, upload: Any, kind: str) -> Attachment:
    """Evidence for a file through the upload guard (``core.uploads.store``). The worker may
    add evidence to their own application while it is pending."""
    from gonghui.core import uploads

    _visible(actor, family)
    kind = _choice({"kind": kind}, "kind", AttachmentKind, label=_("材料类别"), required=True)
    if actor.role == Role.MEMBER:
        if not family.is_pending:
            raise Conflict(_("申请办结后不能再上传材料。"))
    elif not _handles(actor, family):
        raise Forbidden(_("当前角色不能上传档案材料。"))
    stored = uploads.store(
        actor=actor,
        org=family.org,
        upload=upload,
        purpose="assistance",
        retain_days=EVIDENCE_RETAIN_DAYS,
    )
    with transaction.atomic():
        item = Attachment.objects.create(
            family=family, kind=kind, stored=stored, name=stored.name, uploaded_by=actor
        )
        audit.record(
            actor=actor,
            action="assistance.attach",
            object_type="family",
            object_id=family.pk,
            object_org=family.org,
            object_repr=family.number,
            changes={"attachment": {"before": None, "after": stored.name}},
        )
    return item


# --- grants ---------------------------------------------------------------------------------

LEVELS = {"grassroots": "grassroots", "township": "grassroots", "park": "grassroots",
          "industry": "county", "county": "county", "city": "city"}  # fmt: skip
DEFAULT_LIMITS = {
    "grassroots": Decimal("1000"),
    "county": Decimal("5000"),
    "city": Decimal("50000"),
}


def level_of(org: Org) -> str:
    return LEVELS.get(org.kind, "grassroots")


def approval_limit(org: Org) -> Decimal:
    level = level_of(org)
    row = ApprovalLimit.objects.filter(level=level).first()
    return row.up_to if row is not None else DEFAULT_LIMITS[level]


def _period(value: Any, kind: str) -> str:
    text = normalise(value or "")
    if len(text) == 4 and text.isdigit():
        return text
    if len(text) == 6 and text[:4].isdigit() and text[4:] in {"H1", "H2"}:
        return text
    raise InvalidInput.one("period", _("救助期次应为年度（2020）或半年（2020H1）。"))


def live_grant(
    family: Family, kind: str, period: str, *, exclude: int | None = None
) -> Grant | None:
    qs = Grant.objects.filter(family=family, kind=kind, period=period).exclude(
        status=GrantStatus.REFUSED
    )
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("pk").first()


def grant_create(
    *,
    actor: Any,
    family: Family,
    kind: str,
    period: Any,
    amount: Any,
    fund_source: str,
    reason: str = "",
    override_reason: str = "",
    on: date | None = None,
) -> Grant:
    """A grant to an archived family. One grant of a kind per family and period: a second is
    refused naming the first, unless an override reason is recorded."""
    _visible(actor, family)
    if not can(actor, "assistance.handle", family.org):
        raise Forbidden(_("当前角色不能发起救助。"))
    if family.status != Status.ARCHIVED:
        raise Conflict(_("只有已建档的困难职工家庭可以发放救助金。"))
    kind = _choice({"kind": kind}, "kind", GrantKind, label=_("救助类别"), required=True)
    period = _period(period, kind)
    value = money(amount, "amount", label=_("金额"))
    if value <= 0:
        raise InvalidInput.one("amount", _("金额应大于0。"))
    fund_source = _str({"f": fund_source}, "f", limit=50, label=_("资金来源"))
    if not fund_source:
        raise InvalidInput.one("fund_source", _("请填写资金来源。"))
    reason = _str({"r": reason}, "r", limit=200, label=_("事由"))
    override_reason = _str({"o": override_reason}, "o", limit=200, label=_("重复发放理由"))
    with transaction.atomic():
        Family.objects.select_for_update().get(pk=family.pk)
        first = live_grant(family, kind, period)
        if first is not None and not override_reason:
            raise Conflict(
                _("该家庭 %(period)s 已有%(kind)s（#%(pk)d，%(status)s）；确需再次发放请填写理由。")
                % {
                    "period": period,
                    "kind": first.get_kind_display(),
                    "pk": first.pk,
                    "status": first.get_status_display(),
                },
                original=first.pk,
            )
        grant = Grant.objects.create(
            org=family.org,
            family=family,
            kind=kind,
            period=period,
            fund_source=fund_source,
            amount=value,
            reason=reason,
            override_reason=override_reason if first is not None else "",
            granted_on=_today(on),
            created_by=actor,
        )
        _grant_audit(actor, grant, "grant_create", {})
    return grant


GRANT_AUDITED = (
    "status",
    "amount",
    "kind",
    "period",
    "fund_source",
    "override_reason",
    "approved_on",
    "paid_on",
)


def _grant_audit(
    actor: Any, grant: Grant, action: str, before: dict[str, Any], note: str = ""
) -> None:
    audit.record(
        actor=actor,
        action=f"assistance.{action}",
        object_type="grant",
        object_id=grant.pk,
        object_org=grant.org,
        object_repr=str(grant),
        changes=audit.diff(before, audit.snapshot(grant, GRANT_AUDITED)),
        note=note,
    )


def _grant_step(actor: Any, grant: Grant, perm: str) -> Grant:
    if not Grant.objects.visible_to(actor).filter(pk=grant.pk).exists():
        raise NotFound()
    if not can(actor, perm):
        raise Forbidden(_("当前角色不能审批救助金。"))
    return Grant.objects.select_for_update().get(pk=grant.pk)


def grant_approve(*, actor: Any, grant: Grant, on: date | None = None) -> Grant:
    """Approve by amount: the actor's level approves up to its limit (``ApprovalLimit``);
    above it the grant waits for a higher level. Approving twice is harmless."""
    with transaction.atomic():
        locked = _grant_step(actor, grant, "assistance.handle")
        if locked.status == GrantStatus.APPROVED:
            return locked
        if locked.status != GrantStatus.DRAFT:
            raise Conflict(_("当前状态“%(s)s”下不能审批。") % {"s": locked.get_status_display()})
        limit = approval_limit(actor.org)
        if locked.amount > limit:
            raise Forbidden(
                _("金额 %(amount)s 元超出本级审批权限（%(limit)s 元以内），请报上级工会审批。")
                % {"amount": locked.amount, "limit": limit}
            )
        before = audit.snapshot(locked, GRANT_AUDITED)
        locked.status, locked.approved_on, locked.approved_by = (
            GrantStatus.APPROVED,
            _today(on),
            actor,
        )
        locked.save(update_fields=["status", "approved_on", "approved_by", "updated_at"])
        _grant_audit(actor, locked, "grant_approve", before)
    return locked


def grant_refuse(*, actor: Any, grant: Grant, reason: str) -> Grant:
    reason = _str({"reason": reason}, "reason", limit=200, label=_("理由"), required=True)
    with transaction.atomic():
        locked = _grant_step(actor, grant, "assistance.handle")
        if locked.status != GrantStatus.DRAFT:
            raise Conflict(_("当前状态“%(s)s”下不能退回。") % {"s": locked.get_status_display()})
        before = audit.snapshot(locked, GRANT_AUDITED)
        locked.status = GrantStatus.REFUSED
        locked.save(update_fields=["status", "updated_at"])
        _grant_audit(actor, locked, "grant_refuse", before, reason)
    return locked


def grant_paid(*, actor: Any, grant: Grant, on: date | None = None) -> Grant:
    """Record that an approved grant was paid (the bank confirmed the payment line)."""
    with transaction.atomic():
        locked = _grant_step(actor, grant, "assistance.handle")
        if locked.status == GrantStatus.PAID:
            return locked
        if locked.status != GrantStatus.APPROVED:
            raise Conflict(_("救助金审批后才能发放。"))
        before = audit.snapshot(locked, GRANT_AUDITED)
        locked.status, locked.paid_on = GrantStatus.PAID, _today(on)
        locked.save(update_fields=["status", "paid_on", "updated_at"])
        _grant_audit(actor, locked, "grant_paid", before)
    return locked


# --- campaigns ------------------------------------------------------------------------------


def campaign_create(
    *,
    actor: Any,
    org: Org,
    title: str,
    kind: str,
    year: Any,
    started_on: date | None = None,
    fund_source: str = "",
    default_amount: Any = None,
) -> Campaign:
    if not can(actor, "assistance.review", org):
        raise Forbidden(_("慰问活动由县级以上工会发起。"))
    title = _str({"title": title}, "title", limit=100, label=_("名称"), required=True)
    kind = _choice({"kind": kind}, "kind", CampaignKind, label=_("类别"), required=True)
    try:
        year_n = int(str(year))
    except ValueError:
        raise InvalidInput.one("year", _("年度应为4位数字。")) from None
    if not 2000 <= year_n <= 2100:
        raise InvalidInput.one("year", _("年度应在2000至2100之间。"))
    amount = None
    if default_amount not in (None, ""):
        amount = money(default_amount, "default_amount", label=_("标准"))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            org=org,
            title=title,
            kind=kind,
            year=year_n,
            fund_source=_str({"f": fund_source}, "f", limit=50, label=_("资金来源")),
            default_amount=amount,
            started_on=_today(started_on),
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="assistance.campaign_create",
            object_type="campaign",
            object_id=campaign.pk,
            object_org=org,
            object_repr=title,
            changes=audit.diff(
                {}, audit.snapshot(campaign, ("title", "kind", "year", "default_amount"))
            ),
        )
    return campaign


def conflicting(campaign: Campaign) -> Q:
    """The campaigns that pay the same people for the same thing: the same kind and year."""
    return Q(campaign__kind=campaign.kind, campaign__year=campaign.year) & ~Q(campaign=campaign)


RECIPIENT_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "户名"),
    "id_number": ("身份证号", "身份证号码", "证件号码"),
    "org": ("单位代码", "工会代码", "所在工会代码"),
    "team": ("所在团队", "所在单位", "医院", "团队"),
    "bank_name": ("开户行", "开户银行"),
    "bank_account": ("账号", "银行账号", "卡号"),
    "amount": ("金额", "慰问金额", "金额（元）"),
}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, list[Any], str]] = field(default_factory=list)
    conflicts: int = 0
    header: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
            "conflicts": self.conflicts,
        }


def _recipient_row(
    campaign: Campaign, cells: Mapping[str, Any], orgs: Mapping[str, Org], default_org: Org
) -> Recipient:
    """One recipient from a row's cells, or InvalidInput naming the field."""
    name = _str(cells, "name", limit=50, label=_("姓名"), required=True)
    number = _id_number(cells.get("id_number"))
    code = str(cells.get("org") or "").strip()
    org = default_org
    if code:
        found = orgs.get(code)
        if found is None:
            raise InvalidInput.one(
                "org", _("工会代码 %(code)s 不在本活动的单位范围内。") % {"code": code}
            )
        org = found
    raw_amount = cells.get("amount")
    if raw_amount in (None, "") and campaign.default_amount is not None:
        value = campaign.default_amount
    else:
        value = money(raw_amount, "amount", label=_("金额"))
    if value <= 0:
        raise InvalidInput.one("amount", _("金额应大于0。"))
    account = normalise(cells.get("bank_account") or "")
    if not account:
        raise InvalidInput.one("bank_account", _("请填写银行账号。"))
    if not account.isdigit() or not 8 <= len(account) <= 30:
        raise InvalidInput.one("bank_account", _("银行账号应为8至30位数字。"))
    return Recipient(
        campaign=campaign,
        org=org,
        name=name,
        id_number=number,
        team=_str(cells, "team", limit=100, label=_("所在团队或单位")),
        bank_name=_str(cells, "bank_name", limit=100, label=_("开户行")),
        bank_account=account,
        amount=value,
    )


def recipients_add(
    *, actor: Any, campaign: Campaign, rows: Iterable[tuple[int, Mapping[str, Any], list[Any]]]
) -> ImportResult:
    """Add recipients row by row (an imported sheet, or rows typed in). A row with a bad ID,
    account or amount, a person twice in the sheet, or a person already in the campaign is
    refused with its reason and the original's row; a person paid in a conflicting campaign
    (the same kind and year) is added with the conflict shown. Nothing is half-written: the
    accepted rows go in one transaction, and the same sheet again changes nothing."""
    if not Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists():
        raise NotFound()
    if not can(actor, "assistance.review", campaign.org):
        raise Forbidden(_("当前角色不能编制慰问名单。"))
    if campaign.status != CampaignStatus.OPEN:
        raise Conflict(_("活动已结束，不能再添加名单。"))
    rows = list(rows)
    codes = {str(cells.get("org") or "").strip() for _n, cells, _raw in rows} - {""}
    orgs = {  # only the unions the sheet names: a city's subtree holds thousands
        o.code: o
        for o in Org.objects.filter(path__startswith=campaign.org.path, code__in=codes).only(
            "id", "code", "path", "name"
        )
    }
    result = ImportResult()
    accepted: list[tuple[int, Recipient, list[Any]]] = []
    seen: dict[str, int] = {}
    for number, cells, raw in rows:
        result.rows += 1
        try:
            recipient = _recipient_row(campaign, cells, orgs, campaign.org)
        except InvalidInput as exc:
            result.rejected.append((number, raw, "；".join(e["message"] for e in exc.errors)))
            continue
        bidx = blind_index_for("citizen_id", recipient.id_number)
        recipient.id_number_bidx = bidx
        recipient.row_hash = hashlib.sha256(
            "|".join(
                [
                    recipient.name,
                    recipient.id_number,
                    str(recipient.amount),
                    recipient.bank_account,
                    recipient.org.code,
                ]
            ).encode()
        ).hexdigest()[:32]
        if bidx in seen:
            result.rejected.append(
                (
                    number,
                    raw,
                    _("与本表第 %(row)d 行是同一人（重复行，以第 %(row)d 行为准）。")
                    % {"row": seen[bidx]},
                )
            )
            continue
        seen[bidx] = number
        accepted.append((number, recipient, raw))
    existing = {
        r.id_number_bidx: r
        for r in Recipient.objects.filter(
            campaign=campaign, id_number_bidx__in=[r.id_number_bidx for _n, r, _raw in accepted]
        )
    }
    elsewhere: dict[str, str] = {}
    for bidx, title, path, status in (
        Recipient.objects.filter(
            conflicting(campaign),
            id_number_bidx__in=[r.id_number_bidx for _n, r, _raw in accepted],
        )
        .exclude(status=RecipientStatus.FAILED)
        .values_list("id_number_bidx", "campaign__title", "campaign__org__path", "status")
    ):
        # the note stays on the recipient for everyone who sees this campaign: a campaign
        # of a union outside its org's subtree is not named
        named = title if path.startswith(campaign.org.path) else _("其他工会的同类活动")
        elsewhere.setdefault(bidx, f"{named}（{RecipientStatus(status).label}）")
    fresh: list[Recipient] = []
    for number, recipient, raw in accepted:
        original = existing.get(recipient.id_number_bidx)
        if original is not None:
            if original.row_hash == recipient.row_hash:
                result.unchanged += 1
            else:
                result.rejected.append(
                    (
                        number,
                        raw,
                        _("此人已在本活动名单中（名单第 %(pk)d 条），不能重复发放。")
                        % {"pk": original.pk},
                    )
                )
            continue
        if recipient.id_number_bidx in elsewhere:
            recipient.conflict = (
                _("已在同类活动中：%(c)s") % {"c": elsewhere[recipient.id_number_bidx]}
            )[:200]
            result.conflicts += 1
        fresh.append(recipient)
    if fresh:
        _link_members(fresh)
    with transaction.atomic():
        Recipient.objects.bulk_create(fresh, batch_size=2000)
        result.created = len(fresh)
        audit.record(
            actor=actor,
            action="assistance.recipients_add",
            object_type="campaign",
            object_id=campaign.pk,
            object_org=campaign.org,
            object_repr=campaign.title,
            changes={"counts": {"before": None, "after": result.as_dict()}},
        )
    return result


def export_record(
    *,
    actor: Any,
    object_type: str,
    object_id: Any,
    org: Any,
    label: str,
    rows: int,
    filters: Mapping[str, Any],
) -> None:
    """One audit row for a list exported as a spreadsheet (masked: names, IDs and accounts
    to their last characters), with its filters and row count."""
    audit.record(
        actor=actor,
        action="assistance.export",
        object_type=object_type,
        object_id=object_id,
        object_org=org,
        object_repr=label,
        changes={"counts": {"before": None, "after": {"rows": rows, **filters}}},
    )


def _link_members(recipients: list[Recipient]) -> None:
    from gonghui.members.models import Member

    by_bidx = dict(
        Member.objects.filter(
            id_number_bidx__in=[r.id_number_bidx for r in recipients]
        ).values_list("id_number_bidx", "pk")
    )
    for r in recipients:
        r.member_id = by_bidx.get(r.id_number_bidx)


def recipients_import(
    *, actor: Any, campaign: Campaign, path: Any, file_name: str = ""
) -> ImportResult:
    """A recipient sheet (XLSX/CSV, columns by ``RECIPIENT_ALIASES``)."""
    from gonghui.core import crypto
    from gonghui.core.spreadsheets import UnusableFile, cell_text, open_sheet

    if crypto.rotation_in_progress():
        # recipients are matched by blind index, which a rotation is moving to the new key
        raise InvalidInput.one("file", _("字段密钥轮换进行中，请在轮换完成后再导入"))
    try:
        sheet = open_sheet(
            path,
            aliases=RECIPIENT_ALIASES,
            required=("name", "id_number", "bank_account"),
            file_name=file_name,
        )
    except UnusableFile as exc:
        raise InvalidInput.one("file", str(exc)) from None

    def rows() -> Iterable[tuple[int, Mapping[str, Any], list[Any]]]:
        for number, cells in sheet.rows:
            values = {
                name: cell_text(cells[i]) if i < len(cells) and cells[i] is not None else ""
                for name, i in sheet.columns.items()
            }
            yield number, values, cells

    result = recipients_add(actor=actor, campaign=campaign, rows=rows())
    result.header = sheet.header
    return result


def recipients_approve(*, actor: Any, campaign: Campaign) -> int:
    """Approve every listed recipient of the campaign in one statement; approving again
    changes nothing. Returns how many were approved now."""
    if not Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists():
        raise NotFound()
    if not can(actor, "assistance.review", campaign.org):
        raise Forbidden(_("当前角色不能审批慰问名单。"))
    with transaction.atomic():
        n = Recipient.objects.filter(campaign=campaign, status=RecipientStatus.LISTED).update(
            status=RecipientStatus.APPROVED
        )
        if n:
            audit.record(
                actor=actor,
                action="assistance.recipients_approve",
                object_type="campaign",
                object_id=campaign.pk,
                object_org=campaign.org,
                object_repr=campaign.title,
                changes={"counts": {"before": None, "after": n}},
            )
    return n


def recipients_paid(
    *,
    actor: Any,
    campaign: Campaign,
    on: date | None = None,
    failed: Mapping[int, str] | None = None,
) -> dict[str, int]:
    """The bank's answer for the approved recipients: paid on ``on``, except ``failed``
    (recipient id → the bank's reason), who may be paid again in a new batch. Two set-based
    statements; running it again changes nothing."""
    if not Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists():
        raise NotFound()
    if not can(actor, "assistance.review", campaign.org):
        raise Forbidden(_("当前角色不能确认发放结果。"))
    failed = dict(failed or {})
    day = _today(on)
    with transaction.atomic():
        pending = Recipient.objects.filter(campaign=campaign, status=RecipientStatus.APPROVED)
        n_failed = 0
        for pk, reason in failed.items():
            n_failed += pending.filter(pk=pk).update(
                status=RecipientStatus.FAILED, fail_reason=str(reason)[:200]
            )
        n_paid = pending.exclude(pk__in=list(failed)).update(
            status=RecipientStatus.PAID, paid_on=day
        )
        if n_paid or n_failed:
            audit.record(
                actor=actor,
                action="assistance.recipients_paid",
                object_type="campaign",
                object_id=campaign.pk,
                object_org=campaign.org,
                object_repr=campaign.title,
                changes={"counts": {"before": None, "after": {"paid": n_paid, "failed": n_failed}}},
            )
    return {"paid": n_paid, "failed": n_failed}


def recipients_reissue(*, actor: Any, campaign: Campaign) -> int:
    """The failed recipients back to approved, for a new payment batch."""
    if not Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists():
        raise NotFound()
    if not can(actor, "assistance.review", campaign.org):
        raise Forbidden(_("当前角色不能重新发放。"))
    with transaction.atomic():
        n = Recipient.objects.filter(campaign=campaign, status=RecipientStatus.FAILED).update(
            status=RecipientStatus.APPROVED, fail_reason=""
        )
        if n:
            audit.record(
                actor=actor,
                action="assistance.recipients_reissue",
                object_type="campaign",
                object_id=campaign.pk,
                object_org=campaign.org,
                object_repr=campaign.title,
                changes={"counts": {"before": None, "after": n}},
            )
    return n


def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    if not Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists():
        raise NotFound()
    if not can(actor, "assistance.review", campaign.org):
        raise Forbidden(_("当前角色不能结束活动。"))
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status == CampaignStatus.CLOSED:
            return locked
        locked.status = CampaignStatus.CLOSED
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action="assistance.campaign_close",
            object_type="campaign",
            object_id=locked.pk,
            object_org=locked.org,
            object_repr=locked.title,
            changes={"status": {"before": CampaignStatus.OPEN, "after": CampaignStatus.CLOSED}},
        )
    return locked


def survey_due(family: Family) -> date | None:
    """When the next half-yearly survey is due (from the last one, or the archive date)."""
    start = family.last_survey_on or family.archived_on
    return start + timedelta(days=182) if start else None


def verify_due(family: Family) -> date | None:
    start = family.last_verified_on or family.archived_on
    return start + timedelta(days=365) if start else None


# --- payment through the payments app -----------------------------------------------------------
#
# A campaign's approved recipients, or approved grants, become the lines of one payments batch
# (source "assistance"); the batch is approved by someone else, exported as the bank's file
# and confirmed from the bank's sheet in the payments pages. ``payments_sync`` then reads the
# lines back: paid lines mark the recipient or grant paid (on the bank's date), failed ones
# failed with the bank's reason; a line the payments app reissued is followed to its new line.
# The payments app refuses a second live line of one reference and payee, so nobody is paid
# twice for one campaign, or for one kind of grant in one period (unless an override is recorded).


def campaign_reference(campaign: Campaign) -> str:
    return f"assistance.campaign:{campaign.pk}"


def grant_reference(grant: Grant) -> str:
    """A grant's kind and period: the payments app pays one person (by ID number) once per
    kind and period, so a copy of a family's file cannot be paid beside the original."""
    return f"assistance.grant:{grant.kind}:{grant.period}"


def _unpaid(qs: Any) -> Any:
    """Records approved and not on a live line (never put on one, or its line failed)."""
    from gonghui.payments.models import LIVE_STATUSES

    return qs.filter(Q(payment_line__isnull=True) | ~Q(payment_line__status__in=LIVE_STATUSES))


def _refused(result: Any, names: list[str], field: str) -> None:
    """The rows the payments app refused, each named: nothing of the batch is kept."""
    if result.refused:
        raise InvalidInput(
            [
                {"field": field, "message": f"{names[index]}：{reason}"}
                for index, _field, reason in result.refused[:50]
            ],
            detail=_("%(n)d 人未能加入代发批次，批次未生成：%(first)s")
            % {
                "n": len(result.refused),
                "first": f"{names[result.refused[0][0]]}：{result.refused[0][2]}",
            },
        )


LINK_CHUNK = 5000


def _link_lines(model: Any, pairs: list[tuple[int, int]]) -> None:
    """``payment_line`` of many rows, each its own line: one ``UPDATE … FROM (VALUES …)``
    per chunk (PostgreSQL, and SQLite since 3.33), where the ORM's ``bulk_update`` would
    build a CASE expression of thousands of branches — most of a campaign's payment time."""
    table = connection.ops.quote_name(model._meta.db_table)
    for start in range(0, len(pairs), LINK_CHUNK):
        chunk = pairs[start : start + LINK_CHUNK]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET payment_line_id = v.column2 "  # noqa: S608 - the table from the model's meta, quoted; values are parameters
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                [n for pair in chunk for n in pair],
            )


def campaign_pay(*, actor: Any, campaign: Campaign, override_reason: str = "") -> Any:
    """One payments batch (submitted) of the campaign's approved recipients not yet on a live
    line, written set-based (``payments.add_lines``). Returns the batch, or None when nobody
    waits. A recipient the payments app refuses (already on a live line of this campaign, or
    bad account) is named and nothing is written."""
    from gonghui.payments import services as payments

    if not Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists():
        raise NotFound()
    if not can(actor, "assistance.review", campaign.org):
        raise Forbidden(_("当前角色不能生成代发批次。"))
    with transaction.atomic():
        waiting = list(
            _unpaid(Recipient.objects.filter(campaign=campaign, status=RecipientStatus.APPROVED))
            .select_related("member")
            .order_by("id")
        )
        if not waiting:
            return None
        batch = payments.create_batch(
            org=campaign.org,
            source="assistance",
            purpose=str(campaign.get_kind_display()),
            title=campaign.title,
            by=actor,
        )
        reference = campaign_reference(campaign)
        result = payments.add_lines(
            batch,
            (
                payments.LineIn(
                    reference=reference,
                    amount=r.amount,
                    payee_name=r.name,
                    id_number=r.id_number,
                    bank_name=r.bank_name,
                    bank_account=r.bank_account,
                    member=r.member,
                    override_reason=override_reason,
                )  # fmt: skip
                for r in waiting
            ),
            by=actor,
            note=campaign.title,
        )
        _refused(result, [r.name for r in waiting], "recipients")
        _link_lines(
            Recipient,
            [(r.pk, line.pk) for r, line in zip(waiting, result.lines, strict=True) if line],
        )
        payments.submit(batch, by=actor)
        audit.record(
            actor=actor,
            action="assistance.payments",
            object_type="campaign",
            object_id=campaign.pk,
            object_org=campaign.org,
            object_repr=campaign.title,
            changes={"counts": {"before": None, "after": len(waiting)}},
            note=str(batch.pk),
        )
    return batch


def grants_pay(*, actor: Any, org: Org, grants: Iterable[Grant]) -> Any:
    """One payments batch (submitted) of approved grants not yet on a live line, to the
    families' bank accounts, written set-based. The payments app holds each person to one
    live payment of a kind and period (``grant_reference``); a grant recorded with an
    override reason passes it on. A grant refused (no account, already paid) is named and
    nothing is written."""
    from gonghui.payments import services as payments

    ids = [g.pk for g in grants]
    with transaction.atomic():
        waiting = list(
            _unpaid(Grant.objects.visible_to(actor).filter(pk__in=ids, status=GrantStatus.APPROVED))
            .select_related("family", "family__member")
            .order_by("id")
        )
        if not waiting:
            return None
        for g in waiting:
            if g.family is None or not g.family.bank_account:
                raise InvalidInput.one(
                    "grants", _("救助 #%(pk)d 的家庭没有银行账号。") % {"pk": g.pk}
                )
        batch = payments.create_batch(
            org=org, source="assistance", purpose=_("困难职工救助金"), title=_("困难职工救助金"),
            by=actor,
        )  # fmt: skip
        result = payments.add_lines(
            batch,
            [
                payments.LineIn(
                    reference=grant_reference(g),
                    amount=g.amount,
                    payee_name=g.family.name,
                    id_number=g.family.id_number,
                    bank_name=g.family.bank_name,
                    bank_account=g.family.bank_account,
                    member=g.family.member,
                    override_reason=g.override_reason,
                )  # fmt: skip
                for g in waiting
                if g.family is not None
            ],
            by=actor,
        )
        _refused(result, [f"#{g.pk}" for g in waiting], "grants")
        _link_lines(
            Grant, [(g.pk, line.pk) for g, line in zip(waiting, result.lines, strict=True) if line]
        )
        payments.submit(batch, by=actor)
    return batch


def _current(line: Any) -> Any:
    """A line, or the line the payments app reissued it as (the latest of the chain)."""
    from gonghui.payments.models import Line, LineStatus

    seen = 0
    while line is not None and line.status == LineStatus.REISSUED and seen < 20:
        nxt = Line.objects.filter(original=line).order_by("-pk").first()
        if nxt is None:
            break
        line, seen = nxt, seen + 1
    return line


def payments_sync(*, actor: Any, campaign: Campaign | None = None) -> dict[str, int]:
    """Read the payment lines back into the recipients and grants (module comment above):
    two set-based UPDATEs for the recipients (paid on the bank's date; failed with its
    reason), one by one only where the payments app reissued a line (followed to its new
    line). Running it again changes nothing."""
    from gonghui.payments.models import Line, LineStatus

    out = {"paid": 0, "failed": 0}
    recipients = Recipient.objects.visible_to(actor).filter(
        payment_line__isnull=False, status__in=(RecipientStatus.APPROVED, RecipientStatus.FAILED)
    )
    if campaign is not None:
        recipients = recipients.filter(campaign=campaign)
    line = Line.objects.filter(pk=OuterRef("payment_line_id"))
    with transaction.atomic():
        out["paid"] += (
            recipients.filter(payment_line__status=LineStatus.PAID)
            .exclude(status=RecipientStatus.PAID)
            .update(
                status=RecipientStatus.PAID,
                paid_on=Subquery(line.values("paid_on")[:1]),
                fail_reason="",
            )
        )
        out["failed"] += (
            recipients.filter(payment_line__status=LineStatus.FAILED)
            .exclude(status=RecipientStatus.FAILED)
            .update(
                status=RecipientStatus.FAILED,
                fail_reason=Subquery(line.values("fail_reason")[:1]),
            )
        )
        for r in recipients.filter(payment_line__status=LineStatus.REISSUED).select_related(
            "payment_line"
        ):
            current = _current(r.payment_line)
            if current.status == LineStatus.PAID and r.status != RecipientStatus.PAID:
                r.status, r.paid_on, r.fail_reason = RecipientStatus.PAID, current.paid_on, ""
                out["paid"] += 1
            elif current.status == LineStatus.FAILED and r.status != RecipientStatus.FAILED:
                r.status, r.fail_reason = RecipientStatus.FAILED, current.fail_reason[:200]
                out["failed"] += 1
            else:
                continue
            r.payment_line = current
            r.save(update_fields=["status", "paid_on", "fail_reason", "payment_line"])
        changed = out["paid"] + out["failed"]
        for g in (
            Grant.objects.visible_to(actor)
            .filter(payment_line__isnull=False, status=GrantStatus.APPROVED)
            .select_related("payment_line")
        ):
            current = _current(g.payment_line)
            if current.status == LineStatus.PAID:
                before = audit.snapshot(g, GRANT_AUDITED)
                g.status, g.paid_on, g.payment_line = GrantStatus.PAID, current.paid_on, current
                g.save(update_fields=["status", "paid_on", "payment_line", "updated_at"])
                _grant_audit(actor, g, "grant_paid", before, _("银行回单确认到账"))
                out["paid"] += 1
        if changed:
            audit.record(
                actor=actor,
                action="assistance.payments_sync",
                object_type="campaign",
                object_id=campaign.pk if campaign is not None else "*",
                object_org=campaign.org if campaign is not None else None,
                object_repr=campaign.title if campaign is not None else "",
                changes={"counts": {"before": None, "after": out}},
            )
    return out


DIBAO_ALIASES: dict[str, tuple[str, ...]] = {
    "region_code": ("行政区划代码", "区划代码", "地区代码"),
    "region_name": ("地区", "地区名称", "县区"),
    "year": ("年度", "年份"),
    "monthly": ("低保标准", "城市低保标准", "低保标准（元/人/月）", "标准"),
}


def dibao_import(*, actor: Any, path: Any, file_name: str = "") -> ImportResult:
    """The 低保 table from a sheet (XLSX/CSV: 行政区划代码, 地区, 年度, 低保标准), row by row: a
    bad row is answered with its reason, the good ones are saved (each audited), and the same
    sheet again changes nothing."""
    from gonghui.core.spreadsheets import UnusableFile, cell_text, open_sheet

    if not can(actor, "assistance.configure"):
        raise Forbidden(_("当前角色不能设置低保标准。"))
    try:
        sheet = open_sheet(
            path, aliases=DIBAO_ALIASES, required=("region_code", "year", "monthly"),
            file_name=file_name,
        )  # fmt: skip
    except UnusableFile as exc:
        raise InvalidInput.one("file", str(exc)) from None
    result = ImportResult(header=sheet.header)
    have = {
        (code, year): monthly
        for code, year, monthly in DibaoStandard.objects.values_list(
            "region_code", "year", "monthly"
        )
    }
    for number, cells in sheet.rows:
        result.rows += 1
        values = {
            name: cell_text(cells[i]) if i < len(cells) and cells[i] is not None else ""
            for name, i in sheet.columns.items()
        }
        year_text = values.get("year", "").split(".")[0]
        try:
            amount = money(values.get("monthly"), "monthly", label=_("低保标准"))
            key = (normalise(values.get("region_code", "")), int(year_text or 0))
            if have.get(key) == amount:
                result.unchanged += 1
                continue
            dibao_set(
                actor=actor, region_code=values.get("region_code", ""), year=year_text,
                monthly=amount, region_name=values.get("region_name", ""),
            )  # fmt: skip
        except (InvalidInput, ValueError) as exc:
            reason = (
                "；".join(e["message"] for e in exc.errors)
                if isinstance(exc, InvalidInput)
                else _("年度应为4位数字。")
            )
            result.rejected.append((number, cells, reason))
            continue
        have[key] = amount
        result.created += 1
    return result
