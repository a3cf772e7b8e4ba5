from django.urls import path

from . import waiver_api

app_name = "billing_waiver_api"

urlpatterns = [
    path("billing/charges/<str:pk>/waiver/", waiver_api.waiver_start, name="charge-waiver"),
]
