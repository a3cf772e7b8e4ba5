from django.apps import AppConfig


class RepairsConfig(AppConfig):
    name = "webapp.repairs"
    label = "repairs"
    verbose_name = "维修 Repairs"

    def ready(self) -> None:
        # Hooks, x-options providers, how repair ids show in flow data (links), the task-page
        # panel and inbox thumbnails (panels) and the SMS template of the repair flow register here.
        from engine.adapters.default_templates import register_templates

        from . import hooks, links, options, panels  # noqa: F401
        from .notifications import TEMPLATES

        register_templates(TEMPLATES)
