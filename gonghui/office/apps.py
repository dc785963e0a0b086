from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "gonghui.office"
    label = "office"
    verbose_name = "综合办公"

    def ready(self) -> None:
        from . import extensions  # noqa: F401 - permissions, navigation, portal card
