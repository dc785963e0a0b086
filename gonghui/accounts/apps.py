from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from gonghui.core import hooks

        # the security administrator's list of login locks
        hooks.nav_items.append(("security.locks", gettext_lazy("登录锁定"), "login_locks"))  # type: ignore[arg-type]
        hooks.nav_items.append(("security.policies", gettext_lazy("安全策略"), "security_policies"))  # type: ignore[arg-type]
