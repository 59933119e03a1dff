"""What ClusterXchange adds to the managers' daily digest."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.roles import scope_of
from notifications.digest import section

from .models import Application


@section("exchange_reviews", _("ClusterXchange applications to review"))
def applications_to_review(user, since):
    scope = scope_of(user)
    qs = Application.objects.filter(
        status__in=[Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW]
    ).select_related("organisation")
    if not scope.is_admin:
        qs = qs.filter(managing_cluster_id__in=scope.managed_cluster_ids)
    return [
        {
            "text": f"{a.organisation or a.applicant} ({a.get_role_display()})",
            "url": settings.SITE_URL + reverse("exchange:application_detail", args=[a.pk]),
        }
        for a in qs.order_by("submitted_at")[:50]
    ]
