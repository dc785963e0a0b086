from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "gonghui.hotline"
    label = "hotline"
    verbose_name = "12351职工热线"

    def ready(self) -> None:
        from . import extensions  # noqa: F401 - nav entry, member 360° section, portal card
