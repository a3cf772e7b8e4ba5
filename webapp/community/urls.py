"""Staff pages of community notices (社区公告) and questionnaires (满意度问卷), namespace community."""

from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("community/notices/", views.notice_list, name="notices"),
    path("community/notices/new/", views.notice_new, name="notice_new"),
    path("community/notices/<int:pk>/", views.notice_page, name="notice"),
    path("community/notices/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("community/notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("community/surveys/", views.survey_list, name="surveys"),
    path("community/surveys/new/", views.survey_new, name="survey_new"),
    path("community/surveys/<int:pk>/", views.survey_page, name="survey"),
    path("community/surveys/<int:pk>/send/", views.survey_send, name="survey_send"),
    path("community/surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
]
