from __future__ import annotations

from django.urls import include, path

from gonghui.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gonghui.accounts.urls")),
    path("orgs/", include("gonghui.orgs.urls")),
    path("portal/assistance/", include("gonghui.assistance.portal_urls")),
    path("portal/honors/", include("gonghui.honors.portal_urls")),
    path("portal/legal/", include("gonghui.legal.portal_urls")),
    path("", include("gonghui.places.urls")),  # /places/... and /portal/places/...
    path("portal/", include("gonghui.portal.urls")),
    path("members/", include("gonghui.members.urls")),
    path("hotline/", include("gonghui.hotline.urls")),
    path("assistance/", include("gonghui.assistance.urls")),
    path("payments/", include("gonghui.payments.urls")),
    path("funds/", include("gonghui.funds.urls")),
    path("reports/", include("gonghui.reports.urls")),
    path("legal/", include("gonghui.legal.urls")),
    path("governance/", include("gonghui.governance.urls")),
    path("bargaining/", include("gonghui.bargaining.urls")),
    path("honors/", include("gonghui.honors.urls")),
    path("ventures/", include("gonghui.ventures.urls")),
    path("activities/", include("gonghui.activities.urls")),
    path("portal/activities/", include("gonghui.activities.portal_urls")),
    path("office/", include("gonghui.office.urls")),
    path("", include("gonghui.members.public_urls")),  # /join/<code>/, /verify/<token>/
    path("", include("gonghui.home.urls")),
    path("", include("gonghui.core.urls")),
]

handler404 = "gonghui.core.views.not_found"
handler403 = "gonghui.core.views.forbidden"
