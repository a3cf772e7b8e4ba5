"""Parking API under /api/parking/."""

from django.urls import path

from . import api

app_name = "parking_api"

urlpatterns = [
    path("parking/spaces/", api.space_list, name="space-list"),
    path("parking/spaces/<int:pk>/", api.space_detail, name="space-detail"),
    path("parking/spaces/<int:pk>/vehicles/", api.space_vehicles, name="space-vehicles"),
    path("parking/contracts/", api.contract_list, name="contract-list"),
    path("parking/contracts/<int:pk>/", api.contract_detail, name="contract-detail"),
    path("parking/contracts/<int:pk>/end/", api.contract_end, name="contract-end"),
    path("parking/vehicles/<int:pk>/remove/", api.vehicle_remove, name="vehicle-remove"),
    path("parking/bookings/", api.booking_start, name="booking-start"),
]
