from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

app_name = "sales_api"

router = SimpleRouter()
router.register("subscriptions", api.SubscriptionViewSet, basename="subscription")

urlpatterns = [
    path("", include(router.urls)),
    path("reports/late-subscriptions/", api.LateSubscriptionsView.as_view(), name="late-subscriptions"),
]
