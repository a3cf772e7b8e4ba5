from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "webapp.community"
    label = "community"
    verbose_name = "社区 Community notices and surveys"

    def ready(self) -> None:
        # The questionnaire's SMS template and the Celery task that sends the invitations.
        from engine.adapters.default_templates import register_templates

        from . import tasks  # noqa: F401
        from .surveys import TEMPLATES

        register_templates(TEMPLATES)
