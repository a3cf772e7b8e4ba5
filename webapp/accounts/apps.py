from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "webapp.accounts"
    label = "accounts"
    verbose_name = "组织与人员 Organisation"

    def ready(self) -> None:
        # The engine reaches people, companies and work groups through engine.directory.
        from engine import directory

        from . import backends, ldap  # noqa: F401  (ldap connects the directory-login signal handler)

        backends.connect()
        from .directory import AccountsDirectory

        directory.register(AccountsDirectory())
