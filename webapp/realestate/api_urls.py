"""Master-data API under /api/ (a SimpleRouter: the API root view belongs to webapp.api), and the
property register's views under /api/register/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, register_api

router = SimpleRouter()
router.register("rooms", api.RoomViewSet, basename="room")
router.register("customers", api.CustomerViewSet, basename="customer")
router.register("payment-methods", api.PaymentMethodViewSet, basename="payment-method")
router.register("imports", api.ImportJobViewSet, basename="import-job")

urlpatterns = [
    path("", include(router.urls)),
    path("register/", register_api.RegisterView.as_view(), name="register-project"),
    path("register/parking/", register_api.ParkingView.as_view(), name="register-parking"),
    path("register/readiness/", register_api.ReadinessView.as_view(), name="register-readiness"),
    path("register/plans/", register_api.PlansView.as_view(), name="register-plans"),
    path("register/plans/file/", register_api.PlanFileView.as_view(), name="register-plan-file"),
]
