"""/my/ routes of the owner's channel: repairs (included by webapp/owner/urls.py, namespace owner)."""

from django.urls import path

from . import repairs_views

urlpatterns = [
    path("my/repairs/", repairs_views.repair_list, name="repairs"),
    path("my/repairs/new/", repairs_views.repair_new, name="repair_new"),
    path("my/repairs/<int:pk>/", repairs_views.repair_detail, name="repair"),
    path("my/repairs/<int:pk>/evaluate/", repairs_views.repair_evaluate, name="repair_evaluate"),
    path("my/repairs/photos/<int:pk>/", repairs_views.repair_photo, name="repair_photo"),
]
