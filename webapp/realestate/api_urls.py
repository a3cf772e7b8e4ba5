"""Master-data API under /api/ (a SimpleRouter: the API root view belongs to webapp.api)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("rooms", api.RoomViewSet, basename="room")
router.register("customers", api.CustomerViewSet, basename="customer")
router.register("payment-methods", api.PaymentMethodViewSet, basename="payment-method")
router.register("imports", api.ImportJobViewSet, basename="import-job")

urlpatterns = [path("", include(router.urls))]
