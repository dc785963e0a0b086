"""Vetting answers and expert scores from spreadsheets, answered row by row.

A body's answers arrive as a sheet (编号, 征求意见单位, 意见, 情况说明); an expert's scores as a
sheet (编号 and one column per published criterion, by its name). Each row goes through the
same service as the page (``vetting_record``, ``score_submit``) in its own savepoint: a row
refused is listed with its row number and the reason, the others are kept. The file passes the
upload guard first (``core.uploads.receive``) and is deleted after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import uploads
from gonghui.core.errors import Forbidden, ServiceError
from gonghui.core.roles import can
from gonghui.core.spreadsheets import cell_text, open_sheet

from . import services
from .models import Body, Nomination, Round

YES = {"无异议", "同意", "通过", "是", "1", "true", "yes", "y"}
NO = {"有问题", "有异议", "不同意", "不通过", "否", "0", "false", "no", "n"}
BODIES = {**{b.value: b.value for b in Body}, **{str(b.label): b.value for b in Body}}
BODIES.update({"市场监管局": "market", "税务局": "tax", "纪委监委": "discipline",
               "审计局": "audit", "应急管理局": "safety", "安全生产": "safety"})  # fmt: skip


@dataclass
class Result:
    rows: int = 0
    imported: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    # what the imported rows did (the register's import: a re-import is all ``unchanged``)
    outcomes: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "rejected": self.rejected,
            **self.outcomes,
        }


def _nomination(round: Round, raw: Any) -> Nomination:
    text = cell_text(raw).strip()
    if text.endswith(".0"):
        text = text[:-2]
    nom = (
        Nomination.objects.filter(round=round, pk=int(text)).select_related("round", "org").first()
        if text.isdigit()
        else None
    )
    if nom is None:
        raise ValueError(_("编号“%(v)s”不是本次评选的推荐对象") % {"v": text[:20]})
    return nom


def _each(
    received: uploads.Received, aliases: dict[str, list[str]], required: list[str], fn: Any
) -> Result:
    result = Result()
    try:
        sheet = open_sheet(received.path, aliases=aliases, required=required,
                           file_name=received.name)  # fmt: skip
        for number, cells in sheet.rows:
            result.rows += 1
            values = {
                name: cells[i] if i < len(cells) else None for name, i in sheet.columns.items()
            }
            try:
                with transaction.atomic():
                    outcome = fn(values)
            except (ServiceError, ValueError) as exc:
                reason = getattr(exc, "detail", None) or str(exc)
                result.rejected.append({"row": number, "reason": reason[:300]})
            else:
                result.imported += 1
                if isinstance(outcome, str):
                    result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
    finally:
        uploads.remove(received.path)
    return result


def import_vettings(*, actor: Any, round: Round, upload: Any) -> Result:
    if not can(actor, "honors.manage", round.org):
        raise Forbidden(_("无权办理本次评选"))
    received = uploads.receive(upload)

    def row(values: dict[str, Any]) -> None:
        nom = _nomination(round, values.get("nomination"))
        body_text = cell_text(values.get("body")).strip()
        body = BODIES.get(body_text)
        if body is None:
            raise ValueError(_("未知的征求意见单位“%(v)s”") % {"v": body_text[:20]})
        answer = cell_text(values.get("passed")).strip().lower()
        if answer not in YES and answer not in NO:
            raise ValueError(_("意见应填“无异议”或“有问题”"))
        services.vetting_record(
            actor=actor,
            nomination=nom,
            body=body,
            passed=answer in YES,
            reason=cell_text(values.get("reason")).strip(),
        )

    aliases = {
        "nomination": ["编号", "推荐编号", "候选编号"],
        "body": ["征求意见单位", "单位", "部门"],
        "passed": ["意见", "结论"],
        "reason": ["情况说明", "说明", "原因"],
    }
    return _each(received, aliases, ["nomination", "body", "passed"], row)


def import_scores(*, actor: Any, round: Round, upload: Any) -> Result:
    """One expert's scores (the actor's own): 编号 and a column per criterion."""
    if not can(actor, "honors.score", round.org):
        raise Forbidden(_("无权参与本次评审"))
    received = uploads.receive(upload)
    criteria = {c["key"]: c for c in round.scoring}

    def row(values: dict[str, Any]) -> None:
        nom = _nomination(round, values.get("nomination"))
        marks: dict[str, Decimal] = {}
        for key, item in criteria.items():
            raw = cell_text(values.get(key)).strip()
            try:
                marks[key] = Decimal(raw)
            except InvalidOperation:
                raise ValueError(_("请填写%(l)s的得分") % {"l": item["label"]}) from None
        services.score_submit(actor=actor, nomination=nom, marks=marks)

    aliases: dict[str, list[str]] = {"nomination": ["编号", "推荐编号", "候选编号"]}
    for key, item in criteria.items():
        aliases[key] = [item["label"]]
    return _each(received, aliases, ["nomination", *criteria], row)


# --- the model workers' register ------------------------------------------------------------

MODEL_WORKER_ALIASES = {
    "name": ["姓名"],
    "title": ["荣誉称号", "称号"],
    "level": ["级别", "劳模级别", "劳模类型"],
    "year": ["授予年度", "年度", "授予年份"],
    "employer": ["工作单位", "单位"],
    "sex": ["性别"],
    "allowance": ["月荣誉津贴", "月荣誉津贴（元）", "荣誉津贴"],
    "status": ["状态"],
    "note": ["备注"],
    "org": ["管理工会代码", "工会代码"],
    "id_number": ["身份证号", "公民身份号码", "身份证号码"],
}
SEXES = {"男": "M", "女": "F", "M": "M", "F": "F", "": ""}


def _choice(text: str, choices: Any, field_label: str) -> str:
    by_label = {str(label): value for value, label in choices}
    if text in by_label.values():
        return text
    if text in by_label:
        return by_label[text]
    # 全国劳模 / 省级劳模: the first characters of a label are enough when only one matches
    near = [value for label, value in by_label.items() if text and label.startswith(text[:2])]
    if len(near) == 1:
        return near[0]
    raise ValueError(_("%(f)s“%(v)s”不正确") % {"f": field_label, "v": text[:20]})


def import_model_workers(*, actor: Any, upload: Any) -> Result:
    """The register from a sheet, row by row: a row names its union by code (default the
    actor's), and may give a citizen ID to link the member of the registry."""
    from gonghui.core.fields import blind_index_for
    from gonghui.core.roles import in_subtree
    from gonghui.members.selectors import members_visible_to
    from gonghui.orgs.models import Org

    from .models import ModelWorkerLevel, ModelWorkerStatus

    if not can(actor, "honors.manage"):
        raise Forbidden(_("无权管理劳模"))
    received = uploads.receive(upload)

    def row(values: dict[str, Any]) -> str:
        text = {k: cell_text(values.get(k)).strip() for k in MODEL_WORKER_ALIASES}
        org = actor.org
        if text["org"]:
            org = Org.objects.filter(code=text["org"]).first()
            if org is None or not in_subtree(actor, org):
                raise ValueError(_("未找到工会“%(v)s”") % {"v": text["org"][:20]})
        member = None
        if text["id_number"]:
            member = (
                members_visible_to(actor)
                .filter(id_number_bidx=blind_index_for("citizen_id", text["id_number"]))
                .first()
            )
            if member is None:
                raise ValueError(_("会员库中没有该身份证号的会员"))
        year = text["year"][:-2] if text["year"].endswith(".0") else text["year"]
        if not year.isdigit():
            raise ValueError(_("授予年度应为四位年份"))
        if text["sex"] not in SEXES:
            raise ValueError(_("性别应为男或女"))
        _worker, outcome = services.model_worker_save(
            actor=actor,
            org=org,
            name=text["name"],
            title=text["title"],
            level=_choice(text["level"], ModelWorkerLevel.choices, _("级别")),
            year=int(year),
            employer=text["employer"],
            sex=SEXES[text["sex"]],
            allowance=text["allowance"] or "0",
            status=_choice(text["status"], ModelWorkerStatus.choices, _("状态"))
            if text["status"]
            else ModelWorkerStatus.ACTIVE,
            note=text["note"],
            member=member,
        )
        return outcome

    return _each(received, MODEL_WORKER_ALIASES, ["name", "title", "level", "year"], row)
