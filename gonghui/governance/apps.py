from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "gonghui.governance"
    label = "governance"
    verbose_name = "组织建设与选举"

    def ready(self) -> None:
        from . import extensions  # noqa: F401 - nav entry, portal card, terms-due deadlines
