"""/my/ routes of the owner's channel: bills (included by webapp/owner/urls.py, namespace owner)."""

from django.urls import path

from . import bills_views

urlpatterns = [
    path("my/bills/", bills_views.bills, name="bills"),
    path("my/bills/pay/", bills_views.bill_pay, name="bill_pay"),
    path("my/bills/orders/<int:pk>/", bills_views.order, name="order"),
    path("my/payments/", bills_views.payments, name="payments"),
    path("my/payments/<int:pk>/", bills_views.receipt, name="receipt"),
]
