"""/my/ routes of the owner's channel: passes (included by webapp/owner/urls.py, namespace owner)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
