from django.contrib import admin
from django.urls import include, path

from webapp import privacy_views
from webapp.accounts.throttle import ThrottledAdminAuthenticationForm

# The admin's login counts failed logins like the login page (webapp/accounts/throttle.py).
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("webapp.realestate.api_urls")),
    path("api/", include("webapp.sales.api_urls")),
    path("api/", include("webapp.movein.api_urls")),
    path("api/", include("webapp.repairs.api_urls")),
    path("api/", include("webapp.fees.api_urls")),
    path("api/", include("webapp.billing.api_urls")),
    path("api/", include("webapp.billing.waiver_api_urls")),
    path("api/", include("webapp.billing.report_api_urls")),
    path("api/", include("webapp.residents.api_urls")),
    path("api/", include("webapp.meters.api_urls")),
    path("api/", include("webapp.parking.api_urls")),
    path("api/", include("webapp.passes.api_urls")),
    path("api/", include("webapp.visits.api_urls")),
    path("api/", include("webapp.designer.api_urls")),
    path("api/", include("webapp.api.urls")),
    path("api/privacy/", include(privacy_views.api_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("webapp.realestate.urls")),
    path("", include("webapp.sales.urls")),
    path("", include("webapp.movein.urls")),
    path("", include("webapp.repairs.urls")),
    path("", include("webapp.fees.urls")),
    path("", include("webapp.billing.report_urls")),
    path("", include("webapp.billing.urls")),
    path("", include("webapp.residents.urls")),
    path("", include("webapp.owner.urls")),
    path("", include("webapp.passes.urls")),
    path("", include("webapp.community.urls")),
    path("", include("webapp.visits.urls")),
    path("", include("webapp.meters.urls")),
    path("", include("webapp.parking.urls")),
    path("", include("webapp.designer.urls")),
    path("", include("webapp.designer.flow_urls")),
    path("", include("webapp.audit.urls")),
    path("privacy/", include(privacy_views.page_urlpatterns)),
    path("", include("webapp.accounts.urls")),
    path("", include("webapp.pages.urls")),
]
