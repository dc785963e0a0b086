from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "gonghui.payments"
    label = "payments"
    verbose_name = "代发支付"

    def ready(self) -> None:
        from gonghui.core.keyrotation import register_keyed_hash

        from . import extensions  # noqa: F401 - nav entry
        from .services import payee_key

        def line_payee_key(line: object) -> str:
            return payee_key(
                id_number=line.id_number,  # type: ignore[attr-defined]
                member=line.member,  # type: ignore[attr-defined]
                payee_name=line.payee_name,  # type: ignore[attr-defined]
                bank_account=line.bank_account,  # type: ignore[attr-defined]
            )

        # a key rotation recomputes every line's payee key (a blind index of who is paid)
        register_keyed_hash("payments.Line", "payee_key", line_payee_key)
