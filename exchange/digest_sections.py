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


def _vop_exchanges(user, status: str):
    """Exchanges at `status` whose visitor's cluster the user manages (the VOP acts)."""
    from .models import Exchange

    scope = scope_of(user)
    qs = Exchange.objects.filter(status=status).select_related(
        "visitor_organisation", "host_organisation", "report", "plan"
    )
    if not scope.is_admin:
        qs = qs.filter(visitor_cluster_id__in=scope.managed_cluster_ids)
    return qs


def _exchange_url(exchange) -> str:
    return settings.SITE_URL + reverse("exchange:exchange_detail", args=[exchange.pk])


@section("exchange_reports", _("Closing reports to validate"))
def closing_reports_to_validate(user, since):
    from .models import Exchange

    qs = _vop_exchanges(user, Exchange.Status.REPORT_SUBMITTED).order_by(
        "report__submitted_at", "pk"
    )
    return [
        {
            "text": f"{x.visitor_organisation} → {x.host_organisation}",
            "url": _exchange_url(x),
        }
        for x in qs[:50]
    ]


@section("exchange_payments", _("Payments due"))
def payments_due(user, since):
    from django.utils import timezone
    from django.utils.translation import gettext

    from clamtex.core.templatetags.formats import money

    from .models import Exchange
    from .placements.rules import payment_due_on

    today = timezone.localdate()
    qs = _vop_exchanges(user, Exchange.Status.REPORT_VALIDATED).order_by(
        "report__validated_at", "pk"
    )
    items = []
    for x in qs[:50]:
        due_on = payment_due_on(x)
        amount = x.plan.grant_amount if getattr(x, "plan", None) else None
        label = gettext("overdue since %(date)s") if due_on < today else gettext("due by %(date)s")
        items.append(
            {
                "text": f"{x.visitor_organisation} → {x.host_organisation}: {money(amount)} – "
                + label % {"date": due_on.isoformat()},
                "url": _exchange_url(x),
            }
        )
    return items
