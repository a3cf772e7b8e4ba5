from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

app_name = "billing_api"

router = SimpleRouter()
router.register("billing/runs", api.RunViewSet, basename="run")
router.register("billing/charges", api.ChargeViewSet, basename="charge")
router.register("billing/payments", api.PaymentViewSet, basename="payment")
router.register("billing/orders", api.OrderViewSet, basename="order")

urlpatterns = [
    path("billing/closing/", api.ClosingView.as_view(), name="closing"),
    path("payments/wechat/notify/", api.WeChatNotifyView.as_view(), name="wechat-notify"),
    path("", include(router.urls)),
]
