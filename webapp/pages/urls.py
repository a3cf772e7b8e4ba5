from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from webapp.accounts.throttle import ThrottledAuthenticationForm

from . import cancel, sla_views, views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inbox", permanent=False), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="pages/login.html",
            redirect_authenticated_user=True,
            authentication_form=ThrottledAuthenticationForm,  # failed logins lock (webapp/accounts/throttle.py)
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", views.inbox, name="inbox"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/claim/", views.task_claim, name="task_claim"),
    path("tasks/<int:pk>/unclaim/", views.task_unclaim, name="task_unclaim"),
    path("tasks/<int:pk>/pause/", views.task_pause, name="task_pause"),
    path("tasks/<int:pk>/resume/", views.task_resume, name="task_resume"),
    path("issues/new/", views.issue_new, name="issue_new"),
    path("start/<str:process_key>/", views.start, name="start"),
    path("instances/", views.instance_list, name="instances"),
    path("instances/<int:pk>/", views.instance_detail, name="instance"),
    path("instances/<int:pk>/cancel/", cancel.instance_cancel, name="instance_cancel"),
    path("incidents/<int:pk>/retry/", views.incident_retry, name="incident_retry"),
    path("alerts/", sla_views.alert_list, name="alerts"),
    path("alerts/read-all/", sla_views.alert_read_all, name="alert_read_all"),
    path("alerts/<int:pk>/open/", sla_views.alert_open, name="alert_open"),
    path("alerts/<int:pk>/read/", sla_views.alert_read, name="alert_read"),
    path("sla/", sla_views.sla_dashboard, name="sla_dashboard"),
    path("sla/tasks/", sla_views.sla_tasks, name="sla_tasks"),
]
