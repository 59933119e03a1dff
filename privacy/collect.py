"""Everything the portal holds about one person, as plain data and files: what
"download my data" puts in the ZIP, and what erasure must reach."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q


@dataclass
class StoredFile:
    arcname: str  # the path inside the ZIP
    field: object  # a FieldFile


def _iso(value):
    return value.isoformat() if value is not None else None


def _text(value) -> str:
    return str(value) if value is not None else ""


def registrations_of(user):
    from workshops.models import Registration

    return Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))


def applications_of(user):
    from exchange.models import Application

    return Application.objects.filter(applicant=user)


def exchanges_of(user):
    from exchange.models import Exchange

    return Exchange.objects.filter(
        Q(visitor_application__applicant=user) | Q(host_application__applicant=user)
    )


def emails_of(user):
    from notifications.models import Email

    return Email.objects.filter(Q(user=user) | Q(recipient__iexact=user.email))


def contacts_of(user):
    from members.models import Contact

    return Contact.objects.filter(email__iexact=user.email)


def personal_data(user) -> dict[str, object]:
    """The JSON documents of the export, one per section (file name → data)."""
    from allauth.account.models import EmailAddress

    from members.models import Organisation

    from .models import Consent

    data: dict[str, object] = {}
    data["account.json"] = {
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "language": user.language,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "roles": {
            "cluster_manager_of": [
                str(r.cluster) for r in user.manager_roles.select_related("cluster")
            ],
            "coordinator_of": [
                str(r.partnership) for r in user.coordinator_roles.select_related("partnership")
            ],
        },
    }
    organisations = Organisation.objects.filter(representatives__user=user).prefetch_related(
        "sectors", "memberships__cluster"
    )
    data["organisations.json"] = [
        {
            "legal_name": o.legal_name,
            "vat_number": o.vat_number,
            "type": o.org_type,
            "country": _text(o.country.code),
            "address": o.address,
            "postcode": o.postcode,
            "city": o.city,
            "website": o.website,
            "description": o.description,
            "employees": o.employees,
            "turnover_eur": o.turnover_eur,
            "balance_sheet_eur": o.balance_sheet_eur,
            "sectors": [s.code for s in o.sectors.all()],
            "memberships": [
                {"cluster": m.cluster.acronym, "status": m.status} for m in o.memberships.all()
            ],
        }
        for o in organisations
    ]
    data["contacts.json"] = [
        {
            "organisation": c.organisation.legal_name,
            "full_name": c.full_name,
            "job_title": c.job_title,
            "email": c.email,
            "phone": c.phone,
            "language": c.language,
            "main_contact": c.is_primary,
            "consent_to_be_contacted": c.consent_given,
            "consent_at": _iso(c.consent_at),
        }
        for c in contacts_of(user).select_related("organisation")
    ]
    data["registrations.json"] = [
        {
            "event": r.event.title,
            "event_start": _iso(r.event.start),
            "full_name": r.full_name,
            "email": r.email,
            "language": r.language,
            "attendance": r.mode,
            "status": r.status,
            "answers": r.answers,
            "registered_at": _iso(r.created_at),
            "feedback": (
                {"rating": r.feedback.rating, "comments": r.feedback.comments}
                if hasattr(r, "feedback")
                else None
            ),
        }
        for r in registrations_of(user).select_related("event", "feedback")
    ]
    data["applications.json"] = [
        {
            "call": a.call.name,
            "organisation": a.organisation.legal_name if a.organisation else None,
            "managing_cluster": a.managing_cluster.acronym if a.managing_cluster else None,
            "role": a.role,
            "status": a.status,
            "motivation": a.motivation,
            "objectives": a.objectives,
            "activity_types": a.activity_types,
            "preferred_countries": a.preferred_countries,
            "available_from": _iso(a.available_from),
            "available_until": _iso(a.available_until),
            "third_country_national": a.third_country_national,
            "residence_days": a.residence_days,
            "has_residence_permit": a.has_residence_permit,
            "consent_privacy": a.consent_privacy,
            "consent_catalogue": a.consent_catalogue,
            "catalogue_fields": a.catalogue_fields,
            "submitted_at": _iso(a.submitted_at),
            "created_at": _iso(a.created_at),
            "documents": [
                {"kind": d.kind, "file_name": d.original_name, "size": d.size}
                for d in a.documents.all()
            ],
            "history": [
                {"from": t.from_status, "to": t.to_status, "at": _iso(t.at)}
                for t in a.history.all()
            ],
        }
        for a in applications_of(user)
        .select_related("call", "organisation", "managing_cluster")
        .prefetch_related("documents", "history")
    ]
    data["exchanges.json"] = [_exchange(e, user) for e in _exchanges_loaded(user)]
    data["consents.json"] = [
        {
            "for": c.purpose,
            "record": c.object_id,
            "notice_version": c.notice.version,
            "given_at": _iso(c.given_at),
        }
        for c in Consent.objects.filter(Q(user=user) | Q(email__iexact=user.email)).select_related(
            "notice"
        )
    ]
    data["emails.json"] = [
        {
            "kind": m.kind,
            "to": m.recipient,
            "language": m.language,
            "status": m.status,
            "created_at": _iso(m.created_at),
            "sent_at": _iso(m.sent_at),
            "content": m.context,
        }
        for m in emails_of(user).order_by("created_at")
    ]
    return data


def _exchanges_loaded(user):
    return exchanges_of(user).select_related(
        "visitor_organisation",
        "host_organisation",
        "visitor_cluster",
        "host_cluster",
        "plan",
        "report",
        "payment",
        "host_confirmation",
        "visitor_application",
    )


def _exchange(e, user) -> dict:
    plan = getattr(e, "plan", None)
    report = getattr(e, "report", None)
    payment = getattr(e, "payment", None)
    confirmation = getattr(e, "host_confirmation", None)
    return {
        "as": "visitor" if e.visitor_application.applicant_id == user.pk else "host",
        "visitor_organisation": e.visitor_organisation.legal_name,
        "host_organisation": e.host_organisation.legal_name,
        "visitor_cluster": e.visitor_cluster.acronym,
        "host_cluster": e.host_cluster.acronym,
        "status": e.status,
        "plan": (
            {
                "start_date": _iso(plan.start_date),
                "end_date": _iso(plan.end_date),
                "objectives": plan.objectives,
                "agenda": plan.agenda,
                "grant_amount": plan.grant_amount,
            }
            if plan
            else None
        ),
        "closing_report": (
            {
                "objectives_reached": report.objectives_reached,
                "results": report.results,
                "follow_up": report.follow_up,
                "rating": report.rating,
                "status": report.status,
                "evidence": [
                    {"kind": ev.kind, "file_name": ev.original_name} for ev in report.evidence.all()
                ],
            }
            if report
            else None
        ),
        "host_confirmation": (
            {"took_place": confirmation.took_place, "feedback": confirmation.feedback}
            if confirmation
            else None
        ),
        "payment": (
            {
                "amount": payment.amount,
                "paid_on": _iso(payment.paid_on),
                "reference": payment.reference,
            }
            if payment
            else None
        ),
    }


def personal_files(user) -> list[StoredFile]:
    """The files the person uploaded: application documents and evidence of their visits."""
    from exchange.models import ApplicationDocument, Evidence

    files = [
        StoredFile(f"files/applications/{d.application_id}/{d.pk}-{_safe(d.original_name)}", d.file)
        for d in ApplicationDocument.objects.filter(application__applicant=user)
    ]
    files += [
        StoredFile(f"files/evidence/{ev.report_id}/{ev.pk}-{_safe(ev.original_name)}", ev.file)
        for ev in Evidence.objects.filter(report__exchange__visitor_application__applicant=user)
    ]
    return files


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._- " else "_" for c in name)[:120] or "file"
