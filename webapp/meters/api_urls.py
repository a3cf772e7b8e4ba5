"""Meters API under /api/ (nested under the room)."""

from django.urls import path

from . import api

app_name = "meters_api"

urlpatterns = [
    path("rooms/<int:room_pk>/meters/", api.room_meters, name="room-meters"),
    path("rooms/<int:room_pk>/consumption/", api.room_consumption, name="room-consumption"),
    path("meters/<int:pk>/readings/", api.meter_readings, name="meter-readings"),
    path("meters/readings/", api.entry, name="entry"),
]
