from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "webapp.accounts"
    label = "accounts"
    verbose_name = "组织与人员 Organisation"

    def ready(self) -> None:
        from . import ldap  # noqa: F401  (connects the directory-login signal handler)
