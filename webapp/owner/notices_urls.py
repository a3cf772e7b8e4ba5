"""/my/ routes of the owner's channel: notices and my messages (included by webapp/owner/urls.py,
namespace owner)."""

from django.urls import path

from . import notices_views

urlpatterns = [
    path("my/notices/", notices_views.notice_list, name="notices"),
    path("my/notices/<int:pk>/", notices_views.notice_page, name="notice"),
    path("my/messages/", notices_views.message_list, name="messages"),
]
