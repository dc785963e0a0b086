from django.apps import AppConfig


class BargainingConfig(AppConfig):
    name = "gonghui.bargaining"
    label = "bargaining"
    verbose_name = "集体协商"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (permissions, navigation, member sections)
