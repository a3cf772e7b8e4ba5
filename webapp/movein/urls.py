from django.urls import path

from . import defect_pages, views

app_name = "movein"

urlpatterns = [
    path("movein/", views.batch_list, name="batches"),
    path("movein/new/", views.batch_new, name="batch_new"),
    path("movein/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("movein/rooms/<int:pk>/", views.room_detail, name="room"),
    path("movein/rooms/<int:pk>/defects/", views.defect_record, name="defect_record"),
    path("movein/defects/", defect_pages.defect_list, name="defects"),
    path("movein/defects/<int:pk>/", views.defect_detail, name="defect"),
    path("movein/defects/<int:pk>/photos/", views.defect_photos, name="defect_photos"),
    path("movein/photos/<int:pk>/", views.photo, name="photo"),
    path("movein/photos/<int:pk>/thumb/", views.photo_thumb, name="photo_thumb"),
    path("movein/standards/", views.standards, name="standards"),
]
