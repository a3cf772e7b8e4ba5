from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "webapp.sales"
    label = "sales"
    verbose_name = "销售 Sales"
