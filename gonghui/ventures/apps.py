from django.apps import AppConfig


class VenturesConfig(AppConfig):
    name = "gonghui.ventures"
    label = "ventures"
    verbose_name = "工友创业园"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (permissions, navigation, member sections)
