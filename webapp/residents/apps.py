from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "webapp.residents"
    label = "residents"
    verbose_name = "客户 Residents"

    def ready(self) -> None:
        # The resident lookup registers on import; the import kind "residents" plugs into the
        # master-data importer (webapp.realestate.imports) here.
        from . import imports, lookups  # noqa: F401

        imports.plug_in()
