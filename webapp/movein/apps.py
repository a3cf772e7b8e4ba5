from django.apps import AppConfig


class MoveinConfig(AppConfig):
    name = "webapp.movein"
    label = "movein"
    verbose_name = "入伙 Move-in"

    def ready(self) -> None:
        # Hooks, x-options providers and how ids show in flow data (links) register on import;
        # the adapter, the SMS template and the
        # page extensions (inbox thumbnails, task panels) and the revealing of an owner's mobile
        # (webapp.privacy, kind "batch_room") are registered here.
        from engine.adapters import register
        from engine.adapters.default_templates import register_templates
        from webapp import privacy

        from . import hooks, links, options, panels  # noqa: F401
        from .access import reveal_batch_room
        from .adapters import MoveinAdapter
        from .notifications import TEMPLATES

        register(MoveinAdapter())
        register_templates(TEMPLATES)
        privacy.register_revealer("batch_room", reveal_batch_room)
