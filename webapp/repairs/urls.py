from django.urls import path

from . import stats_views, views

app_name = "repairs"

urlpatterns = [
    path("repairs/", views.repair_list, name="list"),
    path("repairs/new/", views.repair_new, name="new"),
    path("repairs/<int:pk>/", views.repair_detail, name="detail"),
    path("repairs/<int:pk>/photos/", views.repair_photos, name="photos"),
    path("repairs/<int:pk>/cancel/", views.repair_cancel, name="cancel"),
    path("repairs/photos/<int:pk>/", views.photo, name="photo"),
    path("repairs/photos/<int:pk>/thumb/", views.photo_thumb, name="photo_thumb"),
    path("repairs/stats/", stats_views.stats_page, name="stats"),
    path("repairs/stats/export.xlsx", stats_views.stats_xlsx, name="stats_xlsx"),
    path("repairs/stats/export.csv", stats_views.stats_csv, name="stats_csv"),
]
