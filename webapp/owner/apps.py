from django.apps import AppConfig


class OwnerConfig(AppConfig):
    name = "webapp.owner"
    label = "owner"
    verbose_name = "业主端 Owner's channel"

    def ready(self) -> None:
        from engine.adapters.default_templates import register_templates

        from . import tasks  # noqa: F401  (workers know the code-delivery task)
        from .codes import TEMPLATES

        register_templates(TEMPLATES)
