"""满意度 of a complaint's 回访 by SMS link (included by webapp/owner/urls.py, namespace owner): the
customer's page by signed token, and the agent's invitation from the callback task."""

from django.urls import path

from . import callback_views

urlpatterns = [
    path("my/callback/<str:token>/", callback_views.answer, name="callback_answer"),
    path("tasks/<int:pk>/callback-survey/", callback_views.invite, name="callback_invite"),
]
