"""/my/ routes of the owner's channel: movein (included by webapp/owner/urls.py, namespace owner)."""

from django.urls import path

from . import movein_views

urlpatterns = [
    path("my/movein/", movein_views.overview, name="movein"),
    path("my/movein/rooms/<int:pk>/slot/", movein_views.book_slot, name="movein_slot"),
    path("my/movein/defects/<int:pk>/", movein_views.defect, name="defect"),
    path("my/movein/photos/<int:pk>/", movein_views.defect_photo, name="defect_photo"),
]
