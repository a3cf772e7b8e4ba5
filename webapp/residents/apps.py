from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "webapp.residents"
    label = "residents"
    verbose_name = "客户 Residents"

    def ready(self) -> None:
        # The resident lookup registers on import; the import kind "residents" is registered with
        # the master-data importer (webapp.realestate.import_kinds) here.
        from webapp.realestate.import_kinds import register_import_kind

        from . import imports, lookups  # noqa: F401

        register_import_kind(imports.import_kind())
