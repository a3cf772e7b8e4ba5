from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

app_name = "fees_api"

router = SimpleRouter()
router.register("fees/items", api.FeeItemViewSet, basename="item")

urlpatterns = [
    path("fees/quote/", api.QuoteView.as_view(), name="quote"),
    path("", include(router.urls)),
]
