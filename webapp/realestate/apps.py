from django.apps import AppConfig


class RealEstateConfig(AppConfig):
    name = "webapp.realestate"
    label = "realestate"
    verbose_name = "房产与客户 Real estate"
