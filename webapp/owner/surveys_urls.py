"""/my/ routes of the owner's channel: surveys (included by webapp/owner/urls.py, namespace owner).
The answer page is reached by the signed token of the SMS link (area "public" of
webapp/common/rights.py: the token is the credential), with or without a resident session."""

from django.urls import path

from . import surveys_views

urlpatterns = [
    path("my/surveys/", surveys_views.survey_list, name="surveys"),
    path("my/surveys/<str:token>/", surveys_views.survey_answer, name="survey"),
]
