from django.apps import AppConfig


class MetersConfig(AppConfig):
    name = "webapp.meters"
    label = "meters"
    verbose_name = "抄表 Meters"

    def ready(self) -> None:
        # The import kind "readings" plugs into the master-data importer (webapp.realestate.imports).
        from . import imports

        imports.plug_in()
