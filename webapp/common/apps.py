from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "webapp.common"
    label = "common"
    verbose_name = "公共 Common"

    def ready(self) -> None:
        # Form fields with "x-lookup" ask this URL for suggestions (forms knows no URLs).
        from django.urls import reverse

        from forms import lookup

        lookup.search_url = lambda source: reverse("api-lookup", args=[source])
