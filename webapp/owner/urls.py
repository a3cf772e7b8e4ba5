from django.urls import path

from . import views

app_name = "owner"

urlpatterns = [
    path("my/", views.rooms, name="rooms"),
    path("my/login/", views.login, name="login"),
    path("my/login/code/", views.verify, name="verify"),
    path("my/logout/", views.logout, name="logout"),
    path("my/rooms/<int:pk>/", views.room, name="room"),
]
