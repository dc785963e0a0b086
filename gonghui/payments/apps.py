from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "gonghui.payments"
    label = "payments"
    verbose_name = "代发支付"

    def ready(self) -> None:
        from . import extensions  # noqa: F401 - nav entry
