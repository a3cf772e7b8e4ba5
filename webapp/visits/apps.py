from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "webapp.visits"
    label = "visits"
    verbose_name = "云通行 Sales visits"
