from django.apps import AppConfig


class MetersConfig(AppConfig):
    name = "webapp.meters"
    label = "meters"
    verbose_name = "抄表 Meters"

    def ready(self) -> None:
        # The import kind "readings" is registered with the master-data importer
        # (webapp.realestate.import_kinds).
        from webapp.realestate.import_kinds import register_import_kind

        from . import imports

        register_import_kind(imports.import_kind())
