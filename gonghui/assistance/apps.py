from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "gonghui.assistance"
    label = "assistance"
    verbose_name = "困难职工帮扶"

    def ready(self) -> None:
        from . import extensions  # noqa: F401 - nav entry, member 360° section, portal card, due items
