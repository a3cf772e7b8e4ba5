from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("settings/roles/", views.role_list, name="roles"),
    path("settings/roles/new/", views.role_edit, name="role_new"),
    path("settings/roles/<int:pk>/", views.role_edit, name="role"),
    path("settings/people/", views.people, name="people"),
    path("settings/people/<int:pk>/", views.person_edit, name="person"),
]
