from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("sales/subscriptions/", views.subscription_list, name="subscription_list"),
    path("sales/subscriptions/<int:pk>/", views.subscription_detail, name="subscription_detail"),
    path("sales/reports/late-entries/", views.late_entries, name="late_entries"),
]
