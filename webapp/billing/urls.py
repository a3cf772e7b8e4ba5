from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("billing/runs/", views.run_list, name="runs"),
    path("billing/runs/<int:pk>/", views.run_detail, name="run"),
    path("billing/runs/<int:pk>/post/", views.run_post, name="run_post"),
    path("billing/runs/<int:pk>/discard/", views.run_discard, name="run_discard"),
    path("billing/bills/", views.bill_list, name="bills"),
    path("billing/bills/<int:pk>/credit/", views.bill_credit, name="bill_credit"),
    path("billing/bills/<int:pk>/refund/", views.deposit_refund, name="deposit_refund"),
    path("billing/rooms/<int:pk>/", views.room_bills, name="room_bills"),
    path("billing/desk/", views.desk_page, name="desk"),
    path("billing/desk/charge/", views.desk_charge, name="desk_charge"),
    path("billing/orders/", views.order_new, name="order_new"),
    path("billing/orders/<int:pk>/", views.order_detail, name="order"),
    path("billing/orders/<int:pk>/sync/", views.order_sync, name="order_sync"),
    path("billing/payments/<int:pk>/", views.payment_detail, name="payment"),
    path("billing/closing/", views.closing_page, name="closing"),
]
