from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # notices: its items due and its portal card
        from . import fields, identifiers, notice_views, notices  # noqa: F401

        fields.register_normaliser("citizen_id", identifiers.normalise_citizen_id)
        fields.register_normaliser("mobile", _mobile_or_clean)
        # Every module's report figures and periodic tasks declare themselves on import.
        autodiscover_modules("metrics")
        autodiscover_modules("tasks")
        # ... the items each module has due, listed on every home page (``core.deadlines``)
        autodiscover_modules("deadlines")
        # ... and what their audit rows mean in words (``core.audit.describe``).
        autodiscover_modules("audit_labels")
        autodiscover_modules("pickers")  # the org, enterprise, member, topic, user pickers
        # a saved or deleted working-day override clears the computed years at once
        from django.db.models.signals import post_delete, post_save

        from . import workdays
        from .models import WorkdayOverride

        post_save.connect(workdays.clear_cache, sender=WorkdayOverride)
        post_delete.connect(workdays.clear_cache, sender=WorkdayOverride)


def _mobile_or_clean(value: str) -> str:
    from django.core.exceptions import ValidationError

    from .identifiers import normalise, normalise_mobile

    try:
        return normalise_mobile(value)
    except ValidationError:
        return normalise(value)
