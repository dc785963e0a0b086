"""The hardship file's workflow as data: application → investigation (within 5 working days)
→ deliberation → public notice (公示, 5 working days) → review by the level above → archive;
an archived file is surveyed half-yearly, re-verified yearly, and exits (解困脱困 or 注销)
with its reason. Who may take a step is the role here; *which org* is checked in services
(the file's union and its subtree handle it; only an org above the file's union reviews)."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from gonghui.core.statemachine import Transition, Workflow

from .models import Status

HANDLERS = ("admin", "cadre", "clerk")
REVIEWERS = ("admin", "cadre")

WORKFLOW = Workflow(
    name="assistance",
    states={s.value: str(s.label) for s in Status},
    transitions=[
        Transition("investigate", ("submitted", "investigated"), "investigated", N_("入户调查"),
                   HANDLERS),
        Transition("deliberate", ("investigated",), "deliberated", N_("民主评议"), HANDLERS),
        Transition("publish", ("deliberated",), "notice", N_("发布公示"), HANDLERS),
        Transition("submit_review", ("notice",), "reviewing", N_("报上级审核"), HANDLERS),
        Transition("approve", ("reviewing",), "archived", N_("审核通过并建档"), REVIEWERS),
        Transition("send_back", ("reviewing", "notice"), "investigated", N_("退回重新调查"),
                   REVIEWERS + ("clerk",)),
        Transition("reject", ("submitted", "investigated", "deliberated", "notice",
                              "reviewing"), "rejected", N_("不予建档"), HANDLERS),
        Transition("survey", ("archived",), "archived", N_("半年走访"), HANDLERS),
        Transition("verify", ("archived",), "archived", N_("年度复核"), HANDLERS),
        Transition("exit", ("archived",), "exited", N_("解困脱困"), HANDLERS),
        Transition("cancel", ("archived",), "cancelled", N_("注销"), HANDLERS),
    ],
    initial="submitted",
)  # fmt: skip

# days, in working days, the union has to investigate an application
INVESTIGATE_WORKDAYS = 5
NOTICE_WORKDAYS = 5
# calendar days between surveys of an archived family, and between re-verifications
SURVEY_DAYS = 182
VERIFY_DAYS = 365
