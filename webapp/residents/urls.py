from django.urls import path

from . import views

app_name = "residents"

urlpatterns = [
    path("rooms/<int:room_pk>/residents/new/", views.add, name="add"),
    path("residents/<int:pk>/move-out/", views.move_out, name="move_out"),
    path("residents/import-template.xlsx", views.import_template, name="import_template"),
]
