from django.urls import path

from . import views

app_name = "meters"

urlpatterns = [
    path("meters/entry/", views.entry, name="entry"),
    path("meters/import-template.xlsx", views.import_template, name="import_template"),
]
