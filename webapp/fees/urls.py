from django.urls import path

from . import views

app_name = "fees"

urlpatterns = [
    path("fees/", views.fee_setup, name="setup"),
    path("fees/items/new/", views.item_new, name="item_new"),
    path("fees/items/<int:pk>/", views.item_detail, name="item"),
    path("fees/items/<int:pk>/versions/", views.version_new, name="version_new"),
    path("fees/quote/", views.quote_page, name="quote"),
]
