from django.apps import AppConfig


class HonorsConfig(AppConfig):
    name = "gonghui.honors"
    label = "honors"
    verbose_name = "评先评优与劳动竞赛"

    def ready(self) -> None:
        from . import extensions  # noqa: F401 - nav entry, member 360° section, portal card
