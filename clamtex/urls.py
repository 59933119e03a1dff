from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from clamtex.core import metrics as core_metrics
from clamtex.core import security
from clamtex.core import views as core_views
from privacy import views as privacy_views

# The admin login goes through allauth: same rate limits, MFA and email verification.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("CLAMTEX Portal administration")
admin.site.site_title = _("CLAMTEX Portal")
# Rate-limited requests (allauth's and ours) get one page with Retry-After.
handler429 = "clamtex.core.security.handler429"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("dashboard/figures/", core_views.home_figures, name="home_figures"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_metrics.metrics, name="metrics"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("accounts/profile/", core_views.profile, name="profile"),
    path("accounts/delete/", privacy_views.account_delete, name="account_delete"),
    # allauth's email page, telling when a confirmation email is not sent again yet.
    path(
        "accounts/email/",
        security.confirmation_resend(account_views.email),
        name="account_email",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("members/", include("members.urls")),
    path("projects/", include("projects.urls")),
    path("workshops/", include("workshops.urls")),
    path("exchange/", include("exchange.urls")),
    path("notifications/", include("notifications.urls")),
    path("privacy/", include("privacy.urls")),
    path("api/", include("api.urls")),
]

if settings.BENCH:  # `make bench` only: the ceiling of a Django view on this machine
    urlpatterns.append(path("bench/bare", core_views.bench_bare))
