from django.urls import path

from . import views

app_name = "designer"

urlpatterns = [
    path("designer/", views.designer_home, name="designer_home"),
    path("designer/drafts/<int:pk>/", views.draft_editor, name="designer_draft"),
]
