from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "webapp.passes"
    label = "passes"
    verbose_name = "通行证 Passes"

    def ready(self) -> None:
        # The SMS templates of the passes.
        from engine.adapters.default_templates import register_templates

        from .notifications import TEMPLATES

        register_templates(TEMPLATES)
