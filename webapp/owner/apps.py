from django.apps import AppConfig


class OwnerConfig(AppConfig):
    name = "webapp.owner"
    label = "owner"
    verbose_name = "业主端 Owner's channel"

    def ready(self) -> None:
        from engine.adapters.default_templates import register_templates

        from . import hooks, panels, tasks  # noqa: F401  (verification hook, 回访 panel, code delivery)
        from .callback_survey import TEMPLATES as CALLBACK_TEMPLATES
        from .codes import TEMPLATES
        from .verification import TEMPLATES as VERIFICATION_TEMPLATES

        register_templates(TEMPLATES + VERIFICATION_TEMPLATES + CALLBACK_TEMPLATES)
