from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "webapp.passes"
    label = "passes"
    verbose_name = "通行证 Passes"
