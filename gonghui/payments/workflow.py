"""The payment batch's states and steps, as data (``core.statemachine``)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gonghui.core.statemachine import Transition, Workflow

from .models import BatchStatus

MAKERS = ("admin", "cadre")

WORKFLOW = Workflow(
    name="payments",
    states={s.value: str(s.label) for s in BatchStatus},
    transitions=[
        Transition("submit", ("draft",), "submitted", gettext_noop("提交审批"), MAKERS),
        Transition("recall", ("submitted",), "draft", gettext_noop("撤回修改"), MAKERS),
        Transition("approve", ("submitted",), "approved", gettext_noop("审批通过"), MAKERS),
        Transition("export", ("approved",), "exported", gettext_noop("导出银行文件"), MAKERS),
        Transition(
            "confirm",
            ("exported", "partly"),
            "confirmed",
            gettext_noop("导入银行回单（全部到账）"),
            MAKERS,
        ),
        Transition(
            "confirm_partly",
            ("exported", "partly"),
            "partly",
            gettext_noop("导入银行回单（部分到账）"),
            MAKERS,
        ),
    ],
    initial="draft",
)
