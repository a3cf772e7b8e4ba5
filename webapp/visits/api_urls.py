from django.urls import path

from . import api

app_name = "visits_api"

urlpatterns = [
    path("visits/passes/", api.pass_list, name="passes"),
    path("visits/slots/", api.slot_list, name="slots"),
    path("visits/bookings/<int:pk>/visited/", api.booking_visited, name="booking-visited"),
    path("visits/stats/", api.stats_view, name="stats"),
]
