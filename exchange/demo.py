"""ClusterXchange demo: the programme's rules and countries, a call open now and the
closed call of 2021, applications in every state for every cluster, accepted visitors and
hosts in Spain, Portugal and France, a few match proposals (waiting and declined), one
accepted match whose exchange is "matched", and from the 2021 call one exchange that did
not take place (the host reported it; the visitor's cluster recorded it, nothing paid).

The demo SME accounts (sme.<cluster>@clamtex.example) apply for the organisations they
represent; other applications belong to each organisation's primary contact, as an
account without a password (they would set one through "forgot your password").

Idempotent: calls are looked up by (partnership, name), applications by (call,
organisation), their history by (application, from, to), documents by (application,
kind), proposals by (visitor, host) and the exchange by its visiting organisation. Rows
are written directly (no services), except the two exchanges of Pôle EMC2's visitors whose
stays are over (a closing report to validate, a payment due: AFTER_THE_STAY), built once
through the services with the outbox muted; seeding sends no email. Without the demo accounts
(seed_demo --no-accounts) only the programme data and the calls are seeded, since an
application needs an applicant account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.utils import timezone

from members.models import Cluster, ClusterManager, Contact, Organisation, Partnership, User

from .models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Call,
    EligibleCountry,
    Exchange,
    ExchangePlan,
    ExchangeTransition,
    HostConfirmation,
    MatchProposal,
    Programme,
)
from .programme_data import seed_eligible_countries

S = Application.Status
R = Application.Role
P = MatchProposal.Status
X = Exchange.Status

OPEN_CALL = "ClusterXchange – call 2"
CALL_2021 = "ClusterXchange – call 1 (2021)"
EVERYTHING = ("organisation", "country", "sectors", "objectives", "contact")
DISCREET = ("country", "sectors")

# The status path that leads to each state, after the draft.
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.UNDER_REVIEW: [S.SUBMITTED, S.UNDER_REVIEW],
    S.INFO_REQUESTED: [S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED],
    S.ACCEPTED: [S.SUBMITTED, S.UNDER_REVIEW, S.ACCEPTED],
    S.REJECTED: [S.SUBMITTED, S.UNDER_REVIEW, S.REJECTED],
    S.WITHDRAWN: [S.SUBMITTED, S.WITHDRAWN],
}


@dataclass(frozen=True)
class Spec:
    call: str  # "open" or "2021"
    cluster: str  # key of the demo cluster that reviews it (and of its member list)
    index: int  # the organisation: members[cluster][index]
    role: str
    status: str
    objectives: str
    activities: tuple[str, ...]
    countries: tuple[str, ...] = ()  # preferred host countries (visitors)
    note: str = ""  # the reviewer's reason or question
    shown: tuple[str, ...] = EVERYTHING  # what the catalogue may show
    window: bool = True  # the availability window is filled in
    early: bool = False  # decided in the call's first days: its exchange took place since


SPECS = [
    # AEI TÈXTILS (Spain). Its SME account visits France: the accepted match.
    Spec("open", "aei", 0, R.VISITOR, S.ACCEPTED,
         "Learn how French composite makers integrate technical textiles and sensors "
         "into lightweight parts; find a partner for a smart-textile prototype.",
         ("rdi", "knowledge"), ("FR",)),
    Spec("open", "aei", 1, R.VISITOR, S.SUBMITTED,
         "Study digital printing and finishing lines for technical textiles.",
         ("capacity", "knowledge"), ("PT", "FR")),
    Spec("open", "aei", 2, R.BOTH, S.DRAFT, "", ("networking",)),
    Spec("open", "aei", 8, R.HOST, S.ACCEPTED,
         "Show our nonwoven production and recycling of technical textiles to visitors.",
         ("knowledge", "networking")),
    Spec("open", "aei", 6, R.VISITOR, S.REJECTED,
         "Explore markets for medical textiles in Portugal.", ("market",), ("PT",),
         note="Market research alone is not a ClusterXchange stay: plan what you will "
              "learn at the host, day by day, and apply again."),
    # ATEVAL (Spain).
    Spec("open", "ateval", 0, R.HOST, S.ACCEPTED,
         "Host visitors interested in home textiles, sustainable dyeing and finishing.",
         ("knowledge", "capacity"), shown=DISCREET),
    Spec("open", "ateval", 1, R.VISITOR, S.UNDER_REVIEW,
         "Understand automated cutting and sewing for technical workwear.",
         ("capacity",), ("PT",)),
    Spec("open", "ateval", 3, R.VISITOR, S.INFO_REQUESTED,
         "Visit a recycled-fibre spinner to prepare a circular product line.",
         ("rdi", "market"), ("PT", "FR"),
         note="Please say which host you have in mind and add the CV of the person who "
              "travels."),
    Spec("open", "ateval", 4, R.VISITOR, S.WITHDRAWN,
         "Networking with French technical-textile companies.", ("networking",), ("FR",)),
    # PRODUTECH (Portugal).
    Spec("open", "produtech", 0, R.VISITOR, S.ACCEPTED,
         "Learn how Spanish and French textile SMEs digitalise production planning with "
         "data from the machines.",
         ("rdi", "capacity"), ("ES", "FR")),
    Spec("open", "produtech", 1, R.HOST, S.SUBMITTED,
         "Host visitors on industrial automation and machine vision.", ("knowledge",)),
    Spec("open", "produtech", 9, R.HOST, S.ACCEPTED,
         "Open our digital manufacturing lab to visitors: digital twins, sensors, data.",
         ("rdi", "knowledge")),
    # Cluster Têxtil (Portugal).
    Spec("open", "citeve", 0, R.HOST, S.ACCEPTED,
         "Host visitors on knitting, functional finishing and traceability of textiles.",
         ("knowledge", "networking")),
    Spec("open", "citeve", 2, R.VISITOR, S.DRAFT,
         "Learn about technical textiles for automotive interiors.", ("market",), ("FR",)),
    Spec("open", "citeve", 5, R.BOTH, S.INFO_REQUESTED,
         "Exchange know-how on digital product passports with a Spanish company.",
         ("knowledge", "rdi"), ("ES",),
         note="Please give your availability: the window is missing.", window=False),
    # Pôle EMC2 (France).
    Spec("open", "emc2", 0, R.HOST, S.ACCEPTED,
         "Host visitors on composite parts, textile reinforcements and sensor integration.",
         ("rdi", "knowledge")),
    Spec("open", "emc2", 1, R.VISITOR, S.ACCEPTED,
         "Find textile suppliers for composite reinforcements in Spain or Portugal.",
         ("market", "networking"), ("ES", "PT")),
    Spec("open", "emc2", 2, R.VISITOR, S.REJECTED,
         "General visit to textile companies.", ("networking",), ("ES",),
         note="The objectives are too general for a ClusterXchange stay: say what you "
              "want to learn and from whom."),
    Spec("open", "emc2", 3, R.VISITOR, S.UNDER_REVIEW,
         "Study lean production in metal processing.", ("capacity",), ("PT",)),
    Spec("open", "emc2", 4, R.BOTH, S.DRAFT, "", ()),
    # Accepted in the call's first days: their stays are over (AFTER_THE_STAY).
    Spec("open", "emc2", 6, R.VISITOR, S.ACCEPTED,
         "Learn how a Spanish nonwovens maker recycles technical-textile waste into "
         "reinforcements for composite parts.",
         ("knowledge", "rdi"), ("ES",), early=True),
    Spec("open", "emc2", 7, R.VISITOR, S.ACCEPTED,
         "See knitting of functional textiles and their traceability at a Portuguese "
         "company, for our sensor-integrated composite parts.",
         ("knowledge", "capacity"), ("PT",), early=True),
    # The closed call of 2021.
    Spec("2021", "aei", 5, R.VISITOR, S.WITHDRAWN,
         "Visit a Portuguese spinning mill.", ("knowledge",), ("PT",)),
    Spec("2021", "citeve", 6, R.VISITOR, S.REJECTED,
         "Networking in France.", ("networking",), ("FR",),
         note="The call's budget was used up by earlier applications."),
    Spec("2021", "emc2", 5, R.HOST, S.ACCEPTED,
         "Host visitors on surface treatment.", ("knowledge",), shown=()),
    Spec("2021", "produtech", 2, R.VISITOR, S.ACCEPTED,
         "Learn surface treatment of textile-reinforced parts.", ("knowledge",), ("FR",),
         shown=()),
]  # fmt: skip

# (visitor, host) as (cluster, index); the side that proposed (the visitor's applicant, or
# the manager of the host's cluster for the host side); the status of the proposal.
PROPOSALS = [
    (("aei", 0), ("emc2", 0), "visitor", P.ACCEPTED,
     "We would like to see how you integrate sensors into composite parts."),
    (("produtech", 0), ("ateval", 0), "visitor", P.DECLINED,
     "Could we visit your dyeing line in May?"),
    (("produtech", 0), ("emc2", 0), "visitor", P.PROPOSED,
     "Your digital production planning is exactly what we want to learn."),
    (("emc2", 1), ("aei", 8), "host", P.PROPOSED,
     "Our member makes nonwovens for composites: a visit would suit you."),
    (("emc2", 1), ("citeve", 0), "visitor", P.DECLINED, "A visit in June?"),
]  # fmt: skip


def _pdf(title: str) -> bytes:
    """A one-page PDF saying `title` (the demo's CVs)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _calls(partnership: Partnership) -> dict[str, Call]:
    today = timezone.localdate()
    # The open call's exchanges may take place from its opening to six months after it
    # closes (the coming months); the 2021 call's during 2021.
    rows = {
        "open": (OPEN_CALL, today - timedelta(days=45), today + timedelta(days=75), 20, 22000),
        "2021": (CALL_2021, date(2021, 3, 1), date(2021, 6, 30), 15, 16500),
    }
    windows = {
        "open": (today - timedelta(days=45), today + timedelta(days=75 + 183)),
        "2021": (date(2021, 3, 1), date(2021, 12, 31)),
    }
    calls = {}
    for key, (name, opens_on, closes_on, planned, budget) in rows.items():
        calls[key], _created = Call.objects.update_or_create(
            partnership=partnership,
            name=name,
            defaults={
                "opens_on": opens_on,
                "closes_on": closes_on,
                "planned_exchanges": planned,
                "budget": budget,
                "exchanges_from": windows[key][0],
                "exchanges_until": windows[key][1],
            },
        )
    return calls


def _applicant(org: Organisation, key: str, index: int, users: dict) -> User:
    """The demo SME account for the organisation it represents, otherwise the primary
    contact as an account without a password, speaking the contact's language."""
    if index == 0 and f"sme.{key}@clamtex.example" in users:
        return users[f"sme.{key}@clamtex.example"]
    contact = Contact.objects.filter(organisation=org).order_by("-is_primary", "pk").first()
    email = contact.email if contact else f"xchange.{key}.{index + 1}@clamtex.example"
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(  # no password: an unusable one
            email=email,
            full_name=contact.full_name if contact else org.legal_name,
            language=contact.language if contact else "en",
        )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _application(spec: Spec, call: Call, org: Organisation, cluster: Cluster, applicant: User):
    submitted = spec.status != S.DRAFT
    first_day = call.opens_on + timedelta(days=2 + spec.index % 10)
    if call.closes_on < timezone.localdate():  # a past call: stays during the call's year
        window = (date(call.opens_on.year, 9, 1), date(call.opens_on.year, 11, 30))
    elif spec.early:  # decided within the call's first fortnight; available right after
        first_day = call.opens_on + timedelta(days=1 + spec.index % 3)
        window = (call.opens_on + timedelta(days=14), call.opens_on + timedelta(days=120))
    else:
        # The open call: its history (4 days a step) ends in the past week, so that the
        # submissions to review are recent.
        steps = max(len(PATHS[spec.status]) - 1, 0)
        first_day = timezone.localdate() - timedelta(days=4 * steps + 1 + spec.index % 6)
        start = timezone.localdate() + timedelta(days=30 + 3 * spec.index)
        window = (start, start + timedelta(days=60))
    complete = submitted or bool(spec.objectives)  # a draft left early, or nearly done
    has_window = complete and spec.window
    role_text = {
        R.VISITOR: "to learn from an organisation abroad",
        R.HOST: "to show our work to visitors from other countries",
        R.BOTH: "to visit and to host",
    }[spec.role]
    reviewed = spec.status not in (S.DRAFT, S.SUBMITTED, S.WITHDRAWN)
    application, _created = Application.objects.update_or_create(
        call=call,
        organisation=org,
        defaults={
            "applicant": applicant,
            "managing_cluster": cluster,
            "role": spec.role,
            "motivation": f"{org.legal_name} takes part in ClusterXchange {role_text}.",
            "objectives": spec.objectives,
            "activity_types": list(spec.activities),
            "preferred_countries": list(spec.countries),
            "available_from": window[0] if has_window else None,
            "available_until": window[1] if has_window else None,
            "consent_privacy": complete,
            "consent_catalogue": bool(spec.shown) and complete,
            "catalogue_fields": list(spec.shown) if complete else [],
            "review_checklist": {
                "membership_confirmed": spec.status == S.ACCEPTED,
                "documents_complete": spec.status == S.ACCEPTED,
                "objectives_clear": spec.status == S.ACCEPTED,
            }
            if reviewed
            else {},
            "review_notes": "Membership checked in the directory." if reviewed else "",
            "status": spec.status,
            "submitted_at": _at(first_day, 10) if submitted else None,
        },
    )
    application.sectors.set(org.sectors.all())
    if submitted and not application.documents.filter(kind=ApplicationDocument.Kind.CV).exists():
        content = _pdf(f"CV - {applicant.full_name} - {org.legal_name}")
        document = ApplicationDocument(
            application=application,
            kind=ApplicationDocument.Kind.CV,
            original_name=f"CV {applicant.full_name}.pdf",
            content_type="application/pdf",
            size=len(content),
        )
        document.file.save("upload", ContentFile(content), save=False)
        document.save()
    return application, first_day


def _history(application: Application, spec: Spec, first_day: date, manager: User | None):
    previous = S.DRAFT
    for step, to in enumerate(PATHS[spec.status]):
        by_applicant = to in (S.SUBMITTED, S.WITHDRAWN)
        ApplicationTransition.objects.get_or_create(
            application=application,
            from_status=previous,
            to_status=to,
            defaults={
                "by": application.applicant if by_applicant else manager,
                "at": _at(first_day + timedelta(days=4 * step), 10 + step),
                "note": spec.note if to in (S.REJECTED, S.INFO_REQUESTED) else "",
            },
        )
        previous = to


def seed_exchange(
    *,
    partnership: Partnership,
    clusters: dict[str, Cluster],
    members: dict[str, list[Organisation]],
    accounts: list[tuple[str, str]],
) -> dict:
    """Creates or refreshes the ClusterXchange demo. `accounts` are the demo accounts
    ((email, role) pairs of seed_accounts); without them no application is seeded."""
    programme, _created = Programme.objects.get_or_create(partnership=partnership)
    seed_eligible_countries(EligibleCountry)
    calls = _calls(partnership)
    result = {"programme": programme, "calls": calls, "applications": {}, "proposals": []}
    if not accounts:
        return result
    users = {u.email: u for u in User.objects.filter(email__in=[e for e, _r in accounts])}
    managers: dict[int, User] = {}  # the first manager of each cluster
    for role in (
        ClusterManager.objects.filter(cluster__in=clusters.values())
        .select_related("user")
        .order_by("pk")
    ):
        managers.setdefault(role.cluster_id, role.user)
    applications = {}
    for spec in SPECS:
        cluster = clusters[spec.cluster]
        org = members[spec.cluster][spec.index]
        applicant = _applicant(org, spec.cluster, spec.index, users)
        application, first_day = _application(spec, calls[spec.call], org, cluster, applicant)
        _history(application, spec, first_day, managers.get(cluster.pk))
        applications[(spec.call, spec.cluster, spec.index)] = application
    result["applications"] = applications

    for (v_key, v_index), (h_key, h_index), side, status, message in PROPOSALS:
        visitor = applications[("open", v_key, v_index)]
        host = applications[("open", h_key, h_index)]
        proposer = (
            visitor.applicant if side == "visitor" else managers.get(host.managing_cluster_id)
        )
        proposal, _created = MatchProposal.objects.update_or_create(
            visitor=visitor,
            host=host,
            defaults={
                "proposed_by": proposer,
                "proposer_side": side,
                "message": message,
                "status": status,
                "responded_at": None
                if status == P.PROPOSED
                else _at(timezone.localdate() - timedelta(days=5), 16),
            },
        )
        result["proposals"].append(proposal)
        if status == P.ACCEPTED:
            result["exchange"], _created = Exchange.objects.update_or_create(
                visitor_organisation=visitor.organisation,
                defaults={
                    "proposal": proposal,
                    "visitor_application": visitor,
                    "host_application": host,
                    "host_organisation": host.organisation,
                    "visitor_cluster": visitor.managing_cluster,
                    "host_cluster": host.managing_cluster,
                    "status": Exchange.Status.MATCHED,
                },
            )
            # The matched pair's stay starts next Monday (a week at the host).
            monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
            ExchangePlan.objects.update_or_create(
                exchange=result["exchange"],
                defaults={"start_date": monday, "end_date": monday + timedelta(days=4)},
            )
    result["after_the_stay"] = [
        _after_the_stay(
            applications[("open", v_key, v_index)],
            applications[("open", h_key, h_index)],
            managers,
            validated=validated,
        )
        for (v_key, v_index), (h_key, h_index), validated in AFTER_THE_STAY
    ]
    result["not_happened"] = _not_happened(
        applications[("2021", "produtech", 2)], applications[("2021", "emc2", 5)], managers
    )
    result["external_exchange"] = _external_host_exchange(applications)
    return result


def _not_happened(visitor: Application, host: Application, managers: dict) -> Exchange:
    """The 2021 exchange that did not take place: planned and signed for May 2021, the
    host reported that nobody came, the visitor's cluster recorded it; never paid."""
    X = Exchange.Status
    start, end = date(2021, 5, 10), date(2021, 5, 14)
    exchange, _created = Exchange.objects.update_or_create(
        visitor_organisation=visitor.organisation,
        defaults={
            "visitor_application": visitor,
            "host_application": host,
            "host_organisation": host.organisation,
            "visitor_cluster": visitor.managing_cluster,
            "host_cluster": host.managing_cluster,
            "status": X.NOT_HAPPENED,
            "outcome": Exchange.Outcome.NOT_HAPPENED,
            "outcome_reason": "The host reported that the visitor did not come; the visitor "
            "confirmed that the trip was cancelled at the last minute (travel restrictions).",
            "outcome_recorded_at": _at(date(2021, 5, 17), 11),
        },
    )
    ExchangePlan.objects.update_or_create(
        exchange=exchange,
        defaults={
            "start_date": start,
            "end_date": end,
            "objectives": visitor.objectives,
            "agenda": [f"Day {i}: surface treatment line" for i in range(1, 6)],
            "activity_types": ["knowledge"],
            "grant_amount": Decimal("900.00"),
            "grant_steps": ["Lump sum: €900.00."],
            "grant_locked": True,
        },
    )
    HostConfirmation.objects.update_or_create(
        exchange=exchange,
        defaults={
            "took_place": False,
            "feedback": "Nobody came on Monday; we heard nothing that week.",
            "confirmed_by": host.applicant,
            "confirmed_at": _at(date(2021, 5, 12), 9),
        },
    )
    vop = managers.get(visitor.managing_cluster_id)
    previous = X.MATCHED
    for step, to in enumerate(
        [X.IN_PREPARATION, X.COMMITMENT_SIGNED, X.READY, X.ONGOING, X.NOT_HAPPENED]
    ):
        ExchangeTransition.objects.get_or_create(
            exchange=exchange,
            from_status=previous,
            to_status=to,
            defaults={
                "by": vop if to == X.NOT_HAPPENED else None,
                "at": _at(date(2021, 4, 12) + timedelta(days=8 * step), 10),
                "note": exchange.outcome_reason if to == X.NOT_HAPPENED else "",
            },
        )
        previous = to
    return exchange


# --- Exchanges after the stay: a closing report to validate, a payment due -------------------

# (visitor, host) as (cluster, index) of the open call; whether the visitor's cluster has
# validated the closing report already (then the payment is due).
AFTER_THE_STAY = [
    (("emc2", 6), ("aei", 8), True),
    (("emc2", 7), ("citeve", 0), False),
]


def _after_the_stay(
    visitor: Application, host: Application, managers: dict, *, validated: bool
) -> Exchange:
    """An exchange of the open call whose stay is over, built through the services the
    people would have used (proposal, plan, documents, host's confirmation, closing report
    with its evidence, bank details, the cluster's validation), so that every figure and
    state is the portal's own; then its history is dated back to the days of the story.

    The stay (a week at the host) started three weeks ago (two when the report is still
    to validate), after a week of preparation; the report was submitted 10 days ago (3),
    and validated 6 days ago, so that the payment is due within days. Built once: a later seeding finds the exchange
    (by its visitor) and leaves it to age like any other (the payment becomes overdue).

    Two steps are not the public services': the signatures are recorded as the external
    parties' are (signature_record, without the password a demo applicant does not
    have, and although the stay has started since), and the exchange then moves on as
    after any signature."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from notifications.services import outbox_muted

    from .applications import services
    from .models import ClosingReport, Evidence, ExchangeDocument, Signature
    from .placements import services as lifecycle
    from .placements.rules import SIGNERS

    existing = Exchange.objects.filter(visitor_organisation=visitor.organisation).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    weeks = 3 if validated else 2
    start = today - timedelta(days=7 * weeks + today.weekday())  # a Monday
    end = start + timedelta(days=4)
    submitted_on = today - timedelta(days=10 if validated else 3)
    validated_on = today - timedelta(days=6)
    agreed_on = start - timedelta(days=5)  # the plan; proposed two days before
    vop, hop = managers[visitor.managing_cluster_id], managers[host.managing_cluster_id]
    people = {
        Signature.Role.VO: visitor.applicant,
        Signature.Role.HO: host.applicant,
        Signature.Role.VOP: vop,
        Signature.Role.HOP: hop,
    }
    with outbox_muted():  # seeding writes to nobody
        proposal = services.proposal_create(
            visitor=visitor,
            host=host,
            by=visitor.applicant,
            message="Could we spend a week with your team?",
        )
        proposal = services.proposal_respond(proposal=proposal, accept=True, by=host.applicant)
        exchange = proposal.exchange
        lifecycle.plan_update(
            exchange=exchange,
            data={
                "start_date": start,
                "end_date": end,
                "objectives": visitor.objectives,
                "agenda": [
                    "Day 1: welcome, safety briefing and tour of the plant",
                    "Day 2: production line, with the line manager",
                    "Day 3: quality control and testing laboratory",
                    "Day 4: joint work on a sample of our parts",
                    "Day 5: results, next steps and farewell",
                ],
                "activity_types": list(visitor.activity_types),
            },
            by=vop,
        )
        for kind in (ExchangeDocument.Kind.COMMITMENT, ExchangeDocument.Kind.FINANCIAL):
            document = lifecycle.document_generate(exchange=exchange, kind=kind, by=vop)
            for role in SIGNERS[kind]:
                lifecycle.signature_record(document=document, role=role, user=people[role])
        exchange = Exchange.objects.get(pk=exchange.pk)
        lifecycle._after_signature(exchange, vop)  # ready
        lifecycle.exchanges_follow_dates(today=today)  # ongoing, then completed
        lifecycle.host_confirm(
            exchange=exchange,
            took_place=True,
            feedback="A committed visitor; we will keep working together on samples.",
            by=host.applicant,
        )
        lifecycle.report_save(
            exchange=exchange,
            data={
                "objectives_reached": "All: we saw each step of the line and worked on a "
                "sample of our own parts with the host's team.",
                "results": "A test programme of recycled reinforcements for two of our "
                "parts; the host sends samples next month.",
                "follow_up": "A joint proposal for a regional innovation call.",
                "rating": 5,
                "actual_start": start,
                "actual_end": end,
            },
            by=visitor.applicant,
        )
        for kind in lifecycle._programme(exchange).required_evidence or []:
            label = str(dict(Evidence.Kind.choices).get(kind, kind))
            upload = SimpleUploadedFile(
                f"{label}.pdf",
                _pdf(f"{label} - {visitor.organisation.legal_name}"),
                content_type="application/pdf",
            )
            lifecycle.evidence_add(
                exchange=exchange, kind=kind, upload=upload, by=visitor.applicant
            )
        lifecycle.bank_details_save(
            exchange=exchange,
            account_holder=visitor.organisation.legal_name,
            iban="FR76 3000 6000 0112 3456 7890 189",
            bic="",
            by=visitor.applicant,
        )
        lifecycle.report_submit(exchange=exchange, by=visitor.applicant)
        if validated:
            lifecycle.report_validate(exchange=exchange, by=vop, evidence_checked=True)
    # The days of the story.
    day = {
        X.IN_PREPARATION: _at(agreed_on, 11),
        X.COMMITMENT_SIGNED: _at(agreed_on + timedelta(days=2), 16),
        X.READY: _at(agreed_on + timedelta(days=2), 16),
        X.ONGOING: _at(start, 8),
        X.COMPLETED: _at(end + timedelta(days=1), 1),
        X.REPORT_SUBMITTED: _at(submitted_on, 15),
        X.REPORT_VALIDATED: _at(validated_on, 10),
    }
    for status, at in day.items():
        exchange.history.filter(to_status=status).update(at=at)
    MatchProposal.objects.filter(pk=proposal.pk).update(
        created_at=_at(agreed_on - timedelta(days=2), 14),
        responded_at=_at(agreed_on - timedelta(days=1), 12),
    )
    Exchange.objects.filter(pk=exchange.pk).update(
        created_at=_at(agreed_on - timedelta(days=1), 12)
    )
    ExchangeDocument.objects.filter(exchange=exchange).update(created_at=_at(agreed_on, 11))
    Signature.objects.filter(document__exchange=exchange).update(
        signed_at=_at(agreed_on + timedelta(days=2), 16)
    )
    HostConfirmation.objects.filter(exchange=exchange).update(confirmed_at=_at(end, 17))
    ClosingReport.objects.filter(exchange=exchange).update(
        submitted_at=_at(submitted_on, 15),
        validated_at=_at(validated_on, 10) if validated else None,
    )
    Evidence.objects.filter(report__exchange=exchange).update(uploaded_at=_at(submitted_on, 14))
    return Exchange.objects.get(pk=exchange.pk)


# --- An exchange with a host of another partnership (issue 12, bullet 7) -------------------------

EXTERNAL_HOST = "Textiles Gamma SRL"


def _external_host_exchange(applications: dict) -> Exchange | None:
    """The last accepted visitor without an exchange visits a Belgian host of another
    partnership (recorded as external parties; its links are made by "Send a new link" on
    the exchange page, since seeding sends no email). Looked up by the host's name."""
    import secrets

    from .external.services import LINK_DAYS, hash_token
    from .models import ExternalParty

    existing = Exchange.objects.filter(host_organisation__legal_name=EXTERNAL_HOST).first()
    visitor = existing.visitor_application if existing else None
    if visitor is None:
        busy = set(Exchange.objects.values_list("visitor_organisation_id", flat=True))
        candidates = [
            a
            for key, a in sorted(applications.items(), reverse=True)
            if key[0] == "open"
            and a.status == S.ACCEPTED
            and a.wants_to_visit
            and a.organisation_id not in busy
            and a.organisation.country.code != "BE"
        ]
        if not candidates:
            return None
        visitor = candidates[0]
    host, _created = Organisation.objects.get_or_create(
        legal_name=EXTERNAL_HOST,
        country="BE",
        defaults={"city": "Mouscron", "latitude": "50.744", "longitude": "3.214"},
    )
    exchange, _created = Exchange.objects.update_or_create(
        visitor_organisation=visitor.organisation,
        defaults={
            "visitor_application": visitor,
            "host_application": None,
            "host_organisation": host,
            "visitor_cluster": visitor.managing_cluster,
            "host_cluster": None,
            "status": Exchange.Status.MATCHED,
        },
    )
    for role, name, city, contact, email, language in (
        ("ho", EXTERNAL_HOST, "Mouscron", "Gaëlle Gamma", "gaelle@gamma.example", "fr"),
        ("hop", "Flanders Textile Cluster", "Gent", "Hans Hoppe", "hans@cluster.example", "en"),
    ):
        ExternalParty.objects.update_or_create(
            exchange=exchange,
            role=role,
            defaults={
                "name": name,
                "country": "BE",
                "city": city,
                "partnership_name": "TEXNET Benelux",
                "contact_name": contact,
                "contact_email": email,
                "contact_language": language,
                # An unknown token: the manager sends a real link from the exchange page.
                "token_hash": hash_token(secrets.token_urlsafe(32)),
                "link_expires_at": timezone.now() + timedelta(days=LINK_DAYS),
            },
        )
    return exchange
