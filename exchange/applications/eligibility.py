"""The scheme's eligibility rules, checked on submission and shown as a list of passed /
failed rules with the reason. Thresholds come from the Programme and EligibleCountry
rows (editable data), never from constants here."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from members.models import Membership, Organisation

from ..models import Application, EligibleCountry, Exchange, Programme
from .participation import HOST_TYPES, MEMBERSHIP_NOT_REQUIRED, VISITOR_TYPES  # programme data

T = Organisation.Type

# Every item of the reviewer's checklist must be ticked, on the server, before acceptance
# (Application.review_checklist; the labels are in forms.CHECKLIST).
REVIEW_ITEMS = ("membership_confirmed", "documents_complete", "objectives_clear")
SME_TYPES = {T.SME, T.STARTUP}


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    passed: bool
    reason: str
    # A manager may grant an exception: a failure does not block submission.
    exception_possible: bool = False

    @property
    def blocks(self) -> bool:
        return not self.passed and not self.exception_possible


def _programme(application: Application) -> Programme:
    programme, _created = Programme.objects.get_or_create(
        partnership_id=application.call.partnership_id
    )
    return programme


def _is_member(application: Application) -> bool:
    return Membership.objects.filter(
        organisation=application.organisation,
        status=Membership.Status.ACTIVE,
        cluster__partnership_id=application.call.partnership_id,
    ).exists()


def rule_org_type(app, org, **_kw) -> RuleResult:
    label = _("Organisation type allowed for the role")
    allowed = set()
    if app.wants_to_visit:
        allowed = VISITOR_TYPES
    if app.wants_to_host:
        allowed = HOST_TYPES if not app.wants_to_visit else VISITOR_TYPES
    if org.org_type in allowed:
        return RuleResult(
            "org_type",
            label,
            True,
            _("%(type)s may take part as %(role)s.")
            % {"type": org.get_org_type_display(), "role": app.get_role_display().lower()},
        )
    return RuleResult(
        "org_type",
        label,
        False,
        _("%(type)s may not take part as %(role)s.")
        % {"type": org.get_org_type_display(), "role": app.get_role_display().lower()},
    )


def rule_country(app, org, **_kw) -> RuleResult:
    label = _("Registered in an eligible country")
    if EligibleCountry.objects.filter(country=org.country.code).exists():
        return RuleResult(
            "country",
            label,
            True,
            _("%(country)s takes part in the programme.") % {"country": org.country.name},
        )
    return RuleResult(
        "country",
        label,
        False,
        _("%(country)s is not a country of the programme.") % {"country": org.country.name or "—"},
    )


def rule_sme(app, org, **_kw) -> RuleResult:
    label = _("EU SME definition")
    if org.org_type not in SME_TYPES:
        return RuleResult(
            "sme", label, True, _("Does not apply: the organisation does not take part as an SME.")
        )
    if org.is_sme is None:
        return RuleResult(
            "sme",
            label,
            False,
            _("Headcount and turnover or balance sheet are missing from the organisation profile."),
        )
    if org.is_sme:
        return RuleResult(
            "sme",
            label,
            True,
            _("Fewer than 250 staff and turnover ≤ €50m or balance sheet ≤ €43m."),
        )
    return RuleResult(
        "sme", label, False, _("The organisation does not meet the EU SME definition.")
    )


def rule_membership(app, org, *, member: bool, described: bool = False, **_kw) -> RuleResult:
    label = _("Member of a cluster of the partnership")
    if member:
        if (app.review_checklist or {}).get("membership_confirmed"):
            return RuleResult(
                "member", label, True, _("Active membership confirmed by the cluster.")
            )
        return RuleResult(
            "member",
            label,
            True,
            _("Active membership on record: to be confirmed by the cluster."),
        )
    if org.org_type in MEMBERSHIP_NOT_REQUIRED:
        return RuleResult(
            "member",
            label,
            True,
            _("Does not apply: a %(type)s takes part in its own name (ClusterXchange rules).")
            % {"type": org.get_org_type_display().lower()},
        )
    if app.role == Application.Role.HOST and org.org_type in SME_TYPES:
        return RuleResult(
            "member",
            label,
            app.exception_approved,
            _(
                "Not a member: a non-member SME may host with an exception approved by the programme."
            )
            if not app.exception_approved
            else _("Not a member; hosting exception approved."),
            exception_possible=True,
        )
    if described:
        # An organisation described in the application is not linked to any member record
        # (a typed VAT number never links it): the reviewing cluster confirms membership
        # by linking the record during the review. Does not block submission.
        return RuleResult(
            "member",
            label,
            False,
            _("To be confirmed by the cluster during the review."),
            exception_possible=True,
        )
    return RuleResult(
        "member",
        label,
        False,
        _("The organisation has no active membership in a cluster of the partnership."),
    )


def rule_visits_once(app, org, **_kw) -> RuleResult:
    label = _("An organisation visits once only")
    if not app.wants_to_visit:
        return RuleResult(
            "visits_once", label, True, _("Does not apply to hosts: they may host many times.")
        )
    visited = (
        Exchange.objects.filter(visitor_organisation=org)
        .exclude(status__in=[Exchange.Status.CANCELLED, Exchange.Status.DECLINED])
        .exclude(visitor_application_id=app.pk)  # its own match is not an earlier visit
        .exists()
    )
    other = (
        Application.objects.filter(
            organisation=org, role__in=[Application.Role.VISITOR, Application.Role.BOTH]
        )
        .filter(
            status__in=[
                Application.Status.SUBMITTED,
                Application.Status.UNDER_REVIEW,
                Application.Status.ACCEPTED,
                Application.Status.INFO_REQUESTED,
            ]
        )
        .exclude(pk=app.pk)
        .exists()
    )
    if visited:
        return RuleResult(
            "visits_once", label, False, _("This organisation already has an exchange as visitor.")
        )
    if other:
        return RuleResult(
            "visits_once",
            label,
            False,
            _("This organisation already has another application as visitor."),
        )
    return RuleResult("visits_once", label, True, _("No earlier visit."))


def rule_third_country(app, org, *, programme: Programme, **_kw) -> RuleResult:
    label = _("Third-country nationals")
    if not app.third_country_national:
        return RuleResult("third_country", label, True, _("Does not apply."))
    days = app.residence_days or 0
    ok = (
        days >= programme.third_country_residence_days
        and app.has_residence_permit
        and app.business_in_eligible_country
    )
    if ok:
        return RuleResult(
            "third_country",
            label,
            True,
            _("%(days)d days of residence with a permit and a business in an eligible country.")
            % {"days": days},
        )
    return RuleResult(
        "third_country",
        label,
        False,
        _(
            "At least %(min)d days of residence with a permit and a business started or intended in an eligible country are needed."
        )
        % {"min": programme.third_country_residence_days},
    )


def rule_non_member_sme(app, org, *, member: bool, described: bool = False, **_kw) -> RuleResult:
    label = _("Non-member SMEs may only host")
    if member or org.org_type not in SME_TYPES:
        return RuleResult("non_member_sme", label, True, _("Does not apply."))
    if described and app.wants_to_visit:
        return RuleResult(
            "non_member_sme",
            label,
            False,
            _("To be confirmed by the cluster: only a member SME may visit."),
            exception_possible=True,
        )
    if app.wants_to_visit:
        return RuleResult(
            "non_member_sme",
            label,
            False,
            _("A non-member SME cannot visit; it may only host, with an approved exception."),
        )
    return RuleResult("non_member_sme", label, True, _("Hosting only."))


RULES = [
    rule_org_type,
    rule_country,
    rule_sme,
    rule_membership,
    rule_visits_once,
    rule_third_country,
    rule_non_member_sme,
]


def check(application: Application) -> list[RuleResult]:
    org = application.organisation
    if org is None:
        return [
            RuleResult(
                "organisation",
                _("Organisation"),
                False,
                _("Choose or describe the organisation first."),
            )
        ]
    from .selectors import organisation_is_private_to

    member = _is_member(application)
    context = {
        "member": member,
        "programme": _programme(application),
        "described": not member and organisation_is_private_to(application, org),
    }
    return [rule(application, org, **context) for rule in RULES]


def blocking(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.blocks]


__all__ = ["RuleResult", "check", "blocking", "Q"]
