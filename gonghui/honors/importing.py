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

from . import selectors, services
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
    # the nominee list's quota check after the import (the live checker's messages)
    quota: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "rejected": self.rejected,
            **self.outcomes,
            **({"quota": self.quota} if self.quota else {}),
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


# --- all or nothing: competition scores and a county's nominee list ---------------------------


class _Refused(Exception):
    """Raised at the end of an all-or-nothing import with refused rows: rolls back the lot."""


def _rows(received: uploads.Received, aliases: dict[str, list[str]], required: list[str]) -> Any:
    sheet = open_sheet(received.path, aliases=aliases, required=required,
                       file_name=received.name)  # fmt: skip
    for number, cells in sheet.rows:
        yield (
            number,
            {
                name: cell_text(cells[i] if i < len(cells) else None).strip()
                for name, i in sheet.columns.items()
            },
        )


def _reason(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return "；".join(str(e["message"]) for e in errors)[:300]
    return (getattr(exc, "detail", None) or str(exc))[:300]


COMPETITION_SCORE_ALIASES = {
    "unit": ["参赛单位", "单位名称", "单位", "统一社会信用代码"],
    "team": ["参赛班组", "班组", "班组名称"],
    "phase": ["阶段", "竞赛阶段"],
    "indicator": ["指标", "竞赛指标", "指标名称"],
    "score": ["得分", "分数", "成绩"],
}


def import_competition_scores(*, actor: Any, competition: Any, upload: Any) -> Result:
    """A competition's scores from a sheet, one row per unit, phase and indicator (参赛单位 —
    its name or credit code — 参赛班组, 阶段, 指标, 得分). Every row is answered (an unknown
    unit, phase or indicator, a score that is not a number or above the indicator's maximum,
    the same cell twice); when any row is refused nothing is written. A re-import of the same
    sheet writes nothing again (``unchanged``)."""
    from .models import CompetitionStatus

    if not can(actor, "honors.manage", competition.org):
        raise Forbidden(_("无权办理本次竞赛"))
    if competition.status != CompetitionStatus.RUNNING:
        raise services.Conflict(
            _("竞赛现为%(s)s，不能登记得分") % {"s": competition.get_status_display()}
        )
    received = uploads.receive(upload)
    units: dict[tuple[str, str], Any] = {}
    for unit in competition.units.select_related("enterprise"):
        units[(unit.enterprise.name, unit.team)] = unit
        if unit.enterprise.uscc:
            units[(unit.enterprise.uscc.upper(), unit.team)] = unit
    phases = {p.name: p for p in competition.phases.all()}
    indicators = {i.name: i for i in competition.indicator_rows.all()}
    result = Result()
    entries: list[services.ScoreEntry] = []
    seen: dict[tuple[int, int, int], int] = {}
    try:
        for number, text in _rows(
            received, COMPETITION_SCORE_ALIASES, ["unit", "phase", "indicator", "score"]
        ):
            result.rows += 1
            try:
                key = text["unit"].upper() if len(text["unit"]) == 18 else text["unit"]
                unit = units.get((key, text.get("team", "")))
                if unit is None:
                    who = text["unit"][:40] + (
                        f"（{text['team'][:20]}）" if text.get("team") else ""
                    )
                    raise ValueError(_("参赛单位“%(v)s”不在本竞赛中") % {"v": who})
                phase = phases.get(text["phase"])
                if phase is None:
                    raise ValueError(_("本竞赛没有“%(v)s”阶段") % {"v": text["phase"][:20]})
                indicator = indicators.get(text["indicator"])
                if indicator is None:
                    raise ValueError(_("本竞赛没有“%(v)s”指标") % {"v": text["indicator"][:20]})
                try:
                    score = Decimal(text["score"])
                except InvalidOperation:
                    raise ValueError(_("得分应为数字")) from None
                if not score.is_finite() or score < 0:
                    raise ValueError(_("得分应为不小于0的数字"))
                if score > indicator.max_score:
                    raise ValueError(
                        _("得分%(s)s超过“%(i)s”的满分%(m)s")
                        % {
                            "s": f"{score.normalize():f}",
                            "i": indicator.name,
                            "m": f"{indicator.max_score.normalize():f}",
                        }
                    )
                cell = (unit.pk, indicator.pk, phase.pk)
                if cell in seen:
                    raise ValueError(
                        _("与第%(n)d行重复（同一单位、阶段和指标）") % {"n": seen[cell]}
                    )
                seen[cell] = number
            except ValueError as exc:
                result.rejected.append({"row": number, "reason": str(exc)[:300]})
                continue
            entries.append(
                services.ScoreEntry(
                    unit=unit,
                    indicator=indicator,
                    phase=phase,
                    score=score,
                    label=_("第%(n)d行") % {"n": number},
                )
            )
    finally:
        uploads.remove(received.path)
    if result.rejected or not entries:
        return result
    done = services.competition_scores_save(
        actor=actor, competition=competition, entries=entries, source=_("表格导入")
    )
    result.imported = len(entries)
    result.outcomes = {k: v for k, v in done.items() if k != "cleared"}
    return result


NOMINEE_ALIASES = {
    "id_number": ["身份证号", "公民身份号码", "身份证号码"],
    "uscc": ["统一社会信用代码", "信用代码"],
    "team": ["班组", "班组名称"],
    "tags": ["类别", "类别标记", "人员类别"],
    "deeds": ["材料说明", "主要事迹", "事迹材料", "备注"],
}


def import_nominees(*, actor: Any, round: Round, upload: Any) -> Result:
    """A union's nominee list for a round (its own org nominating): 身份证号 (individual awards)
    or 统一社会信用代码 (collective and team awards), 班组, 类别 (一线职工，女性 …), 材料说明.
    Every row is answered — a person or enterprise not in the registry or outside the user's
    scope (the same answer), the same nominee twice, a nominee already put forward by another
    union, rows beyond the places of the allotment that holds the union — and when any row is
    refused nothing is kept. A nominee the union already put forward is left as it is
    (``unchanged``), so the list can be imported again. The quota rules are checked on the
    union's list afterwards, with the live checker's messages."""
    from gonghui.core.fields import blind_index_for
    from gonghui.members.selectors import members_visible_to

    from .models import LIVE_NOMINATIONS, AwardKind, RoundStatus

    org = actor.org
    if org is None or not can(actor, "honors.nominate", org):
        raise Forbidden(_("无权以该组织名义推荐"))
    if round.status != RoundStatus.NOMINATING:
        raise services.Conflict(
            _("本次评选当前不接受推荐（%(s)s）") % {"s": round.get_status_display()}
        )
    individual = round.award.kind == AwardKind.INDIVIDUAL
    received = uploads.receive(upload)
    holder = selectors.allotment_for(round, org)
    places = holder.places if holder is not None else round.places
    where = holder.org if holder is not None else None
    result = Result()
    try:
        with transaction.atomic():
            used = selectors.live_nominations(round, where).count()
            seen: dict[tuple[Any, ...], int] = {}
            for number, text in _rows(
                received, NOMINEE_ALIASES, ["id_number"] if individual else ["uscc"]
            ):
                result.rows += 1
                created = False
                try:
                    with transaction.atomic():
                        member = enterprise = None
                        if individual:
                            if not text["id_number"]:
                                raise ValueError(_("请填写身份证号"))
                            member = (
                                members_visible_to(actor)
                                .filter(
                                    id_number_bidx=blind_index_for("citizen_id", text["id_number"])
                                )
                                .first()
                            )
                            if member is None:
                                raise ValueError(_("会员库中没有该身份证号的会员"))
                            key: tuple[Any, ...] = ("m", member.pk)
                        else:
                            code = text["uscc"].upper()
                            enterprise = (
                                selectors.enterprises_for(actor).filter(uscc=code).first()
                                if code
                                else None
                            )
                            if enterprise is None:
                                raise ValueError(_("单位库中没有该统一社会信用代码的单位"))
                            key = ("e", enterprise.pk, text.get("team", ""))
                        if key in seen:
                            raise ValueError(_("与第%(n)d行重复") % {"n": seen[key]})
                        seen[key] = number
                        earlier = Nomination.objects.filter(
                            round=round,
                            status__in=LIVE_NOMINATIONS,
                            member=member,
                            enterprise=enterprise,
                            team=text.get("team", "") if enterprise else "",
                        ).first()
                        if earlier is not None:
                            if earlier.org_id != org.pk:
                                raise ValueError(_("已由其他单位推荐"))
                            result.imported += 1
                            result.outcomes["unchanged"] = result.outcomes.get("unchanged", 0) + 1
                            continue
                        if used >= places:
                            raise ValueError(
                                _("超出名额：%(org)s共%(n)d个名额，已推荐%(used)d个")
                                % {
                                    "org": (holder.org if holder else round.org).name,
                                    "n": places,
                                    "used": used,
                                }
                            )
                        services.nomination_create(
                            actor=actor,
                            round=round,
                            org=org,
                            member=member,
                            enterprise=enterprise,
                            team=text.get("team", ""),
                            tags=text.get("tags", ""),
                            deeds=text.get("deeds", "")[:20_000],
                        )
                        used += 1
                        created = True
                except (ServiceError, ValueError) as exc:
                    result.rejected.append({"row": number, "reason": _reason(exc)})
                if created:
                    result.imported += 1
                    result.outcomes["created"] = result.outcomes.get("created", 0) + 1
            if result.rejected:
                raise _Refused()
    except _Refused:
        result.imported = 0
        result.outcomes = {}
    finally:
        uploads.remove(received.path)
    result.quota = [r.message for r in services.quota_report(round, org)]
    return result
