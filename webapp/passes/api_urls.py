"""Passes API under /api/passes/."""

from django.urls import path

from . import api

app_name = "passes_api"

urlpatterns = [
    path("passes/admit/", api.admit, name="admit"),
]
