"""/my/ routes of the owner's channel: passes (included by webapp/owner/urls.py, namespace owner)."""

from django.urls import path

from . import passes_views

urlpatterns = [
    path("my/passes/", passes_views.passes, name="passes"),
    path("my/passes/new/", passes_views.pass_new, name="pass_new"),
    path("my/passes/decoration/", passes_views.decoration_new, name="decoration_new"),
    path("my/passes/<int:pk>/", passes_views.pass_page, name="pass"),
    path("my/passes/<int:pk>/revoke/", passes_views.pass_revoke, name="pass_revoke"),
]
