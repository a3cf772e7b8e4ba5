from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "webapp.fees"
    label = "fees"
    verbose_name = "收费 Fees"
