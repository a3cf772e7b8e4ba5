from django.urls import include, path

from . import views

app_name = "owner"

urlpatterns = [
    path("my/", views.rooms, name="rooms"),
    path("my/login/", views.login, name="login"),
    path("my/login/code/", views.verify, name="verify"),
    path("my/logout/", views.logout, name="logout"),
    path("my/rooms/<int:pk>/", views.room, name="room"),
    # one module per feature (issue 16), each owning its routes under /my/
    path("", include("webapp.owner.verify_urls")),
    path("", include("webapp.owner.repairs_urls")),
    path("", include("webapp.owner.complaints_urls")),
    path("", include("webapp.owner.bills_urls")),
    path("", include("webapp.owner.movein_urls")),
    path("", include("webapp.owner.notices_urls")),
    path("", include("webapp.owner.surveys_urls")),
    path("", include("webapp.owner.passes_urls")),
    path("", include("webapp.owner.callback_urls")),
]
