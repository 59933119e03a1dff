"""What the workshops app adds to the managers' daily digest."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.roles import scope_of
from notifications.digest import section

from .models import Event, Registration


@section("workshop_approvals", _("Registrations awaiting your approval"))
def registrations_to_approve(user, since):
    scope = scope_of(user)
    qs = Registration.objects.filter(
        status=Registration.Status.PENDING, event__status=Event.Status.PUBLISHED
    ).select_related("event")
    if not scope.is_admin:
        qs = qs.filter(event__organisers__in=scope.managed_cluster_ids).distinct()
    return [
        {
            "text": f"{r.full_name} → {r.event.title}",
            "url": settings.SITE_URL + reverse("workshops:participants", args=[r.event_id]),
        }
        for r in qs.order_by("created_at")[:50]
    ]
