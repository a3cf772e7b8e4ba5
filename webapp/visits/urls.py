from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("visits/passes/", views.pass_list, name="passes"),
    path("visits/passes/<int:pk>/", views.pass_detail, name="pass"),
    path("visits/bookings/<int:pk>/visited/", views.booking_visited, name="booking_visited"),
    path("visits/slots/", views.slot_list, name="slots"),
    path("visits/stats/", views.stats_page, name="stats"),
    path("visit/<str:token>/", views.book, name="book"),  # the buyer's booking page (public, signed token)
]
