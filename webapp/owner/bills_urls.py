"""/my/ routes of the owner's channel: bills (included by webapp/owner/urls.py, namespace owner)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
