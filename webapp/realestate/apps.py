from django.apps import AppConfig


class RealEstateConfig(AppConfig):
    name = "webapp.realestate"
    label = "realestate"
    verbose_name = "房产与客户 Real estate"

    def ready(self) -> None:
        # x-options providers (rooms.available, customers, payment_methods) and lookup sources
        # (customer, project, room) and how their ids show in flow data (links) register on import;
        # importing the tasks module registers the import task with Celery workers too (the
        # Celery app autodiscovers only the engine's tasks). A customer's personal data is revealed
        # through webapp.privacy (kind "customer").
        from webapp import privacy

        from . import links, lookups, options, tasks  # noqa: F401
        from .access import reveal_customer

        privacy.register_revealer("customer", reveal_customer)
