"""/my/ routes of the owner's channel: complaints (included by webapp/owner/urls.py, namespace owner)."""

from django.urls import path

from . import complaints_views

urlpatterns = [
    path("my/complaints/", complaints_views.complaint_list, name="complaints"),
    path("my/complaints/new/", complaints_views.complaint_new, name="complaint_new"),
    path("my/complaints/<int:pk>/", complaints_views.complaint_detail, name="complaint"),
]
