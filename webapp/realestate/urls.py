from django.urls import path, re_path

from . import detail_views, register_views, views

urlpatterns = [
    path("customers/", views.customer_list, name="customers"),
    path("customers/new/", views.customer_new, name="customer_new"),
    path("customers/<int:pk>/", detail_views.customer_detail, name="customer"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("rooms/", views.room_chart, name="rooms"),
    path("rooms/<int:pk>/", detail_views.room_detail, name="room"),
    path("register/", register_views.register_page, name="register"),
    path("register/settings/", register_views.register_settings, name="register_settings"),
    path("register/parking/", register_views.parking_page, name="register_parking"),
    path("register/readiness/", register_views.readiness_page, name="register_readiness"),
    path("register/plans/upload/", register_views.plan_upload, name="register_plan_upload"),
    path("register/rooms/", register_views.room_register, name="register_room"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/skip-bad-rows/", views.import_job_rerun, name="import_job_rerun"),
    path("imports/<int:pk>/errors.xlsx", views.import_job_errors, name="import_job_errors"),
    re_path(
        r"^imports/templates/(?P<kind>rooms|customers)\.xlsx$", views.import_template, name="import_template"
    ),
]
