"""Residents API under /api/ (nested under the room: "填写业主资料前必须选中房号")."""

from django.urls import path

from . import api

app_name = "residents_api"

urlpatterns = [
    path("rooms/<int:room_pk>/residents/", api.room_residents, name="room-residents"),
    path("residents/<int:pk>/move-out/", api.move_out, name="move-out"),
    path("customers/<int:customer_pk>/rooms/", api.customer_rooms, name="customer-rooms"),
]
