from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "gonghui.legal"
    label = "legal"
    verbose_name = "法律援助与咨询"

    def ready(self) -> None:
        from . import extensions  # noqa: F401 - nav, home lists, portal card, hotline link
