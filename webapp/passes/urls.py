from django.urls import path

from . import views

app_name = "passes"

urlpatterns = [
    path("passes/gate/", views.guard, name="guard"),
    path("passes/decorations/", views.decorations, name="decorations"),
    path("passes/decorations/<int:pk>/decide/", views.decide, name="decide"),
    path("pass/<str:token>/", views.show, name="show"),
]
