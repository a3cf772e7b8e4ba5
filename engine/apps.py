from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "engine"
    label = "engine"
    verbose_name = "流程引擎 Engine"

    def ready(self) -> None:
        from . import spiff

        spiff.install_patches()
        from .adapters import load_builtin_adapters

        load_builtin_adapters()
        from . import calendar_signals

        calendar_signals.connect()
        from . import row_caches

        row_caches.connect()
