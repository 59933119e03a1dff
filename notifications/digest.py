"""The managers' daily digest is assembled from sections that each app registers: a
function (user, since) -> list of {"text", "url"} items, already scoped to the user."""

from collections.abc import Callable
from datetime import datetime

from django.utils.translation import gettext_lazy as _

Section = Callable[[object, datetime], list[dict]]
_SECTIONS: list[tuple[str, object, Section]] = []


def section(key: str, title) -> Callable[[Section], Section]:
    def decorator(func: Section) -> Section:
        _SECTIONS.append((key, title, func))
        return func

    return decorator


def sections() -> list[tuple[str, object, Section]]:
    return list(_SECTIONS)


@section("invitations_accepted", _("Invitations accepted"))
def invitations_accepted(user, since):
    from django.conf import settings
    from django.urls import reverse

    from members.models import Invitation
    from members.selectors import invitations_visible_to

    rows = (
        invitations_visible_to(user)
        .filter(status=Invitation.Status.ACCEPTED, accepted_at__gte=since)
        .order_by("accepted_at")
    )
    return [
        {
            "text": f"{inv.email} → {inv.organisation.legal_name}",
            "url": settings.SITE_URL
            + reverse("members:organisation_detail", args=[inv.organisation_id]),
        }
        for inv in rows
    ]
