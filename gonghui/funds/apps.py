from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "gonghui.funds"
    label = "funds"
    verbose_name = "工会经费"

    def ready(self) -> None:
        from . import extensions  # noqa: F401 - nav entry, the payments' settlement hook
