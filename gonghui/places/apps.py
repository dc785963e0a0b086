from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "gonghui.places"
    label = "places"
    verbose_name = "服务阵地"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (permissions, navigation, portal card)
