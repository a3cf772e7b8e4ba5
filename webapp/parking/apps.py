from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "webapp.parking"
    label = "parking"
    verbose_name = "车位 Parking"

    def ready(self) -> None:
        # The booking flow's hooks, the parking-space lookup of its forms and its SMS templates.
        from engine.adapters.default_templates import register_templates

        from . import hooks, lookups  # noqa: F401
        from .notifications import TEMPLATES

        register_templates(TEMPLATES)
