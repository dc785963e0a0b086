from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "gonghui.activities"
    label = "activities"
    verbose_name = "职工活动"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (permissions, navigation, portal cards)
