from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gonghui.reports"
    label = "reports"
    verbose_name = "工作报告"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from gonghui.core import hooks
        from gonghui.core.roles import grant

        # Reports are read-only for everyone; a role sees the figures of its home subtree.
        grant("reports.view", "admin", "cadre", "leader", "clerk", "operator")
        hooks.nav_items.append(("reports.view", gettext_lazy("工作报告"), "reports:summary"))  # type: ignore[arg-type]
