from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "webapp.sales"
    label = "sales"
    verbose_name = "销售 Sales"

    def ready(self) -> None:
        # Hooks, x-options providers and how ids show in flow data (links) register on import;
        # the adapter and the SMS templates
        # are registered with the engine here (deploy checks that the flows name known ones).
        from engine.adapters import register
        from engine.adapters.default_templates import register_templates

        from . import hooks, links, options  # noqa: F401
        from .adapters import SalesAdapter
        from .notifications import TEMPLATES

        register(SalesAdapter())
        register_templates(TEMPLATES)
