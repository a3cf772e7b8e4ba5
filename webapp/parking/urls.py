from django.urls import path

from . import views

app_name = "parking"

urlpatterns = [
    path("parking/", views.directory, name="directory"),
    path("parking/spaces/<int:pk>/", views.space_page, name="space"),
    path("parking/spaces/<int:pk>/contracts/", views.contract_new, name="contract_new"),
    path("parking/spaces/<int:pk>/vehicles/", views.vehicle_add, name="vehicle_add"),
    path("parking/contracts/<int:pk>/end/", views.contract_end, name="contract_end"),
    path("parking/vehicles/<int:pk>/remove/", views.vehicle_remove, name="vehicle_remove"),
]
