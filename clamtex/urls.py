from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from clamtex.core import views as core_views

# The admin login goes through allauth: same rate limits, MFA and email verification.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("CLAMTEX Portal administration")
admin.site.site_title = _("CLAMTEX Portal")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("accounts/profile/", core_views.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("members/", include("members.urls")),
    path("projects/", include("projects.urls")),
    path("workshops/", include("workshops.urls")),
    path("exchange/", include("exchange.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", include("api.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(
        settings.MEDIA_URL + "logos/", document_root=settings.MEDIA_ROOT / "logos"
    )
