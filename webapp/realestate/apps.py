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
        _register_import_kinds()


def _register_import_kinds() -> None:
    """The import kinds of master data (other apps register theirs in their own ready())."""
    from django.utils.translation import gettext_lazy

    from forms.masks import CUSTOMER_FIELDS
    from webapp.common import rights

    from .import_kinds import ImportKindSpec, register_import_kind
    from .imports import CUSTOMER_COLUMNS, ROOM_COLUMNS, CustomerImporter, RoomImporter
    from .models import ImportKind

    register_import_kind(
        ImportKindSpec(ImportKind.ROOMS, gettext_lazy("Rooms"), ROOM_COLUMNS, RoomImporter, rights.ADD_ROOMS)
    )
    register_import_kind(
        ImportKindSpec(
            ImportKind.CUSTOMERS,
            gettext_lazy("Customers"),
            CUSTOMER_COLUMNS,
            CustomerImporter,
            rights.ADD_CUSTOMERS,
            personal_columns=CUSTOMER_FIELDS,
        )
    )
