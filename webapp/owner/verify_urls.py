"""/my/ routes of the owner's channel: 业主身份认证 (included by webapp/owner/urls.py, namespace owner)."""

from django.urls import path

from . import verify_views

urlpatterns = [
    path("my/verify/", verify_views.verification_page, name="verification"),
]
