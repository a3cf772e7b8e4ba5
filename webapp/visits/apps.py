from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "webapp.visits"
    label = "visits"
    verbose_name = "云通行 Sales visits"

    def ready(self) -> None:
        # The SMS templates, the hourly job (reminders, no-shows), the gate's signal and the
        # Celery task of the SMS register on import.
        from engine.adapters.default_templates import register_templates
        from engine.tasks import register_hourly
        from webapp.realestate.history import register_customer_section

        from . import receivers, sms  # noqa: F401
        from .history import customer_section
        from .jobs import hourly
        from .notifications import TEMPLATES

        register_templates(TEMPLATES)
        register_hourly("visits", hourly)
        register_customer_section(customer_section)  # the visits on the customer's page
