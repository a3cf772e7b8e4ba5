from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "webapp.billing"
    label = "billing"
    verbose_name = "账务 Billing"

    def ready(self) -> None:
        from engine.adapters.default_templates import register_templates

        from . import tasks  # noqa: F401  (workers know the billing tasks)
        from .notices import TEMPLATES

        register_templates(TEMPLATES)

        from engine.tasks import register_hourly

        from .late_fees import accrue_all

        register_hourly("billing.late_fees", accrue_all)
        from . import hooks  # noqa: F401  (the billing flows' hooks, the dunning adapter and hourly job)
