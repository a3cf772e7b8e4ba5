from django.apps import AppConfig


class DesignerConfig(AppConfig):
    name = "webapp.designer"
    label = "designer"
    verbose_name = "流程设计 Designer"
