"""CLAMTEX demo events (DESIGN.md): the partnership's kick-off and first partner meeting of
2020 (its history), a strategy meeting, a training and two study visits of the past few
weeks (attendance and feedback), and upcoming workshops on the digitalisation of technical
textiles in the coming weeks (one awaits approvals): every date but the 2020 ones is
relative to today.

Idempotent: events are looked up by (partnership, title), sessions by (event, title),
questions by (event, label), registrations by (event, email), speakers by name. Rows are
written directly (no services): seeding sends no email. The seat counters are then set
from the registrations, as the services would have left them."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from members.models import Cluster, Contact, Organisation, Partnership

from . import workflow
from .models import Event, Feedback, Question, Registration, Session, Speaker

S = Registration.Status
M = Registration.Mode
K = Event.Kind

# The cluster staff who meet at partner meetings: the demo accounts of seed_accounts()
# (linked to them when those accounts exist).
DELEGATES = {
    "aei": ("Marc Gestor", "ca"),
    "ateval": ("Elena Gestora", "es"),
    "produtech": ("Tiago Gestor", "pt"),
    "citeve": ("Helena Gestora", "pt"),
    "emc2": ("Camille Gestionnaire", "fr"),
}
COORDINATOR = ("coordinator@clamtex.example", "Núria Coordinadora", "ca")

SPEAKERS = {
    "coordinator": ("Núria Coordinadora", "AEI TÈXTILS", "Coordinator of CLAMTEX."),
    "aei": ("Marc Gestor", "AEI TÈXTILS", ""),
    "ateval": ("Elena Gestora", "ATEVAL", ""),
    "produtech": ("Tiago Gestor", "PRODUTECH", ""),
    "citeve": ("Helena Gestora", "Cluster Têxtil", ""),
    "emc2": ("Camille Gestionnaire", "Pôle EMC2", ""),
    "design": (
        "Laia Roca",
        "Design thinking facilitator",
        "Facilitates design thinking sessions for industrial clusters.",
    ),
    "lean": ("Vicent Martí", "Lean management trainer", "Lean coach for textile SMEs."),
    "twin": ("Pau Serra", "Digital manufacturing consultant", ""),
    "data": ("Rita Sousa", "Industrial data engineer", ""),
    "dpp": ("Inês Almeida", "Sustainability and traceability expert", ""),
    "sensors": ("Julien Morel", "Smart textiles researcher", ""),
}


@dataclass
class Spec:
    title: str
    kind: str
    axis: str
    organisers: list[str]
    tz: str
    start: datetime
    end: datetime
    summary: str
    city: str = ""
    country: str = ""
    venue_name: str = ""
    venue_address: str = ""
    online_url: str = ""
    language: str = "en"
    audience: str = Event.Audience.PARTNERSHIP
    capacity_in_person: int = 0
    capacity_online: int = 0
    approval_required: bool = False
    # (title, start, end, speaker keys, description)
    sessions: list[tuple] = field(default_factory=list)
    # (label, kind, choices, required)
    questions: list[tuple] = field(default_factory=list)


def _at(day: date, hour: int, minute: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zoneinfo.ZoneInfo(tz))


def _in_days(days: int, hour: int, minute: int, tz: str) -> datetime:
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(tz)).date()
    return _at(today + timedelta(days=days), hour, minute, tz)


def _past_specs() -> dict[str, Spec]:
    madrid, paris, oslo = "Europe/Madrid", "Europe/Paris", "Europe/Oslo"
    d1, d2 = date(2020, 3, 4), date(2020, 3, 5)
    # The past few weeks: the strategy meeting and the training the next day at
    # Ontinyent, a three-day and a two-day study visit.
    meeting = _in_days(-17, 0, 0, madrid).date()
    training = meeting + timedelta(days=1)
    ara = _in_days(-38, 0, 0, paris).date()
    norway = _in_days(-9, 0, 0, oslo).date()
    return {
        "kickoff": Spec(
            title="CLAMTEX kick-off meeting",
            kind=K.PARTNER_MEETING,
            axis=Event.Axis.INTERNATIONAL,
            organisers=["aei"],
            tz=madrid,
            start=_at(d1, 9, 30, madrid),
            end=_at(d2, 14, 0, madrid),
            summary=(
                "Kick-off of the CLAMTEX partnership: the five partner clusters meet at "
                "Terrassa; one partner joins by web conference."
            ),
            city="Terrassa",
            country="ES",
            venue_name="AEI TÈXTILS",
            venue_address="Terrassa (Barcelona)",
            online_url="https://meet.example.org/clamtex-kick-off",
            capacity_in_person=12,
            capacity_online=4,
            sessions=[
                (
                    "Welcome and introduction to CLAMTEX",
                    _at(d1, 9, 30, madrid),
                    _at(d1, 10, 15, madrid),
                    ["coordinator"],
                    "Objectives, programme axes and the 24 months ahead.",
                ),
                (
                    "Presentation of the partner clusters",
                    _at(d1, 10, 15, madrid),
                    _at(d1, 12, 30, madrid),
                    ["aei", "ateval", "produtech", "citeve", "emc2"],
                    "Each cluster presents its members, services and strategy.",
                ),
                (
                    "Work plan, governance and budget",
                    _at(d1, 14, 0, madrid),
                    _at(d1, 16, 30, madrid),
                    ["coordinator"],
                    "Work packages, deliverables, reporting to the EU.",
                ),
                (
                    "Visit to technical-textile companies in Terrassa",
                    _at(d1, 16, 45, madrid),
                    _at(d1, 18, 30, madrid),
                    ["aei"],
                    "",
                ),
                (
                    "Design thinking session: the joint cluster strategy",
                    _at(d2, 9, 30, madrid),
                    _at(d2, 12, 30, madrid),
                    ["design"],
                    "The partners map the needs of their SMEs and shape the joint strategy.",
                ),
                (
                    "Next steps and closing",
                    _at(d2, 12, 45, madrid),
                    _at(d2, 14, 0, madrid),
                    ["coordinator"],
                    "",
                ),
            ],
        ),
        "remote": Spec(
            title="CLAMTEX partner meeting (online)",
            kind=K.PARTNER_MEETING,
            axis=Event.Axis.INTERNATIONAL,
            organisers=["aei"],
            tz=madrid,
            start=_at(date(2020, 6, 30), 10, 0, madrid),
            end=_at(date(2020, 6, 30), 13, 0, madrid),
            summary="Remote partner meeting: progress of the work plan and the exchanges.",
            online_url="https://meet.example.org/clamtex-partner-meeting",
            capacity_online=15,
            sessions=[
                (
                    "Progress of the work packages",
                    _at(date(2020, 6, 30), 10, 0, madrid),
                    _at(date(2020, 6, 30), 11, 15, madrid),
                    ["coordinator"],
                    "",
                ),
                (
                    "ClusterXchange: preparing the first exchanges",
                    _at(date(2020, 6, 30), 11, 30, madrid),
                    _at(date(2020, 6, 30), 13, 0, madrid),
                    ["produtech", "emc2"],
                    "",
                ),
            ],
        ),
        "strategy": Spec(
            title="Strategy review meeting at Ontinyent",
            kind=K.PARTNER_MEETING,
            axis=Event.Axis.INTERNATIONAL,
            organisers=["ateval"],
            tz=madrid,
            start=_at(meeting, 9, 30, madrid),
            end=_at(meeting, 17, 0, madrid),
            summary="The partners review the joint cluster strategy and its roadmap.",
            city="Ontinyent",
            country="ES",
            venue_name="ATEVAL",
            venue_address="Ontinyent (València)",
            capacity_in_person=12,
            language="es",
            sessions=[
                (
                    "Review of the joint strategy and roadmap",
                    _at(meeting, 9, 30, madrid),
                    _at(meeting, 12, 30, madrid),
                    ["coordinator", "ateval"],
                    "",
                ),
                (
                    "Benchmarking and cluster labels",
                    _at(meeting, 14, 0, madrid),
                    _at(meeting, 17, 0, madrid),
                    ["produtech"],
                    "",
                ),
            ],
        ),
        "lean": Spec(
            title="Lean Management training",
            kind=K.TRAINING,
            axis=Event.Axis.DIGITAL,
            organisers=["ateval"],
            tz=madrid,
            start=_at(training, 9, 0, madrid),
            end=_at(training, 14, 0, madrid),
            summary="Capacity building: lean management for cluster staff and member SMEs.",
            audience=Event.Audience.PUBLIC,  # in the cluster's public feed
            city="Ontinyent",
            country="ES",
            venue_name="ATEVAL",
            venue_address="Ontinyent (València)",
            capacity_in_person=20,
            language="es",
            sessions=[
                (
                    "Lean principles for textile SMEs",
                    _at(training, 9, 0, madrid),
                    _at(training, 11, 0, madrid),
                    ["lean"],
                    "",
                ),
                (
                    "Value stream mapping workshop",
                    _at(training, 11, 30, madrid),
                    _at(training, 14, 0, madrid),
                    ["lean"],
                    "",
                ),
            ],
        ),
        "ara": Spec(
            title="Study visit to Auvergne-Rhône-Alpes",
            kind=K.STUDY_VISIT,
            axis=Event.Axis.INTERNATIONAL,
            organisers=["emc2"],
            tz=paris,
            start=_at(ara, 9, 0, paris),
            end=_at(ara + timedelta(days=2), 17, 0, paris),
            summary="Three days with technical-textile companies and research centres.",
            city="Lyon",
            country="FR",
            venue_name="Host companies in Auvergne-Rhône-Alpes",
            capacity_in_person=12,
            language="fr",
        ),
        "norway": Spec(
            title="Study visit to Norway",
            kind=K.STUDY_VISIT,
            axis=Event.Axis.INTERNATIONAL,
            organisers=["aei"],
            tz=oslo,
            start=_at(norway, 9, 0, oslo),
            end=_at(norway + timedelta(days=1), 16, 0, oslo),
            summary="Two days with Norwegian textile and advanced-manufacturing companies.",
            city="Oslo",
            country="NO",
            venue_name="Host companies in Norway",
            capacity_in_person=10,
        ),
    }


def _upcoming_specs() -> dict[str, Spec]:
    madrid, lisbon, paris = "Europe/Madrid", "Europe/Lisbon", "Europe/Paris"
    twin = _in_days(5, 9, 30, madrid)
    data = _in_days(12, 10, 0, lisbon)
    dpp = _in_days(30, 11, 0, madrid)
    sensors = _in_days(45, 9, 0, paris)
    title = "Digitalisation of technical textiles: "
    return {
        "twin": Spec(
            title=title + "digital twins of finishing lines",
            kind=K.WORKSHOP,
            axis=Event.Axis.DIGITAL,
            organisers=["aei"],
            tz=madrid,
            start=twin,
            end=twin + timedelta(hours=4),
            summary="Hands-on workshop: a digital twin of a finishing line, step by step.",
            city="Terrassa",
            country="ES",
            venue_name="AEI TÈXTILS",
            venue_address="Terrassa (Barcelona)",
            capacity_in_person=20,
            sessions=[
                ("Why a digital twin?", twin, twin + timedelta(hours=1), ["twin"], ""),
                (
                    "Building the twin of a stenter",
                    twin + timedelta(hours=1, minutes=15),
                    twin + timedelta(hours=4),
                    ["twin", "aei"],
                    "",
                ),
            ],
        ),
        "data": Spec(
            title=title + "data platforms and MES for SMEs",
            kind=K.WORKSHOP,
            axis=Event.Axis.DIGITAL,
            organisers=["produtech", "citeve"],
            tz=lisbon,
            start=data,
            end=data + timedelta(hours=5),
            summary="Which production data to collect, and how, in a textile SME.",
            audience=Event.Audience.PUBLIC,  # in the cluster's public feed
            city="Porto",
            country="PT",
            venue_name="PRODUTECH",
            capacity_in_person=25,
            approval_required=True,
            language="pt",
            sessions=[
                ("From the shop floor to the cloud", data, data + timedelta(hours=2), ["data"], ""),
                (
                    "Case studies of Portuguese textile SMEs",
                    data + timedelta(hours=2, minutes=30),
                    data + timedelta(hours=5),
                    ["citeve", "produtech"],
                    "",
                ),
            ],
        ),
        "dpp": Spec(
            title=title + "the digital product passport",
            kind=K.WEBINAR,
            axis=Event.Axis.CIRCULAR,
            organisers=["aei", "citeve"],
            tz=madrid,
            start=dpp,
            end=dpp + timedelta(hours=1, minutes=30),
            summary="Public webinar: what the EU digital product passport means for textiles.",
            online_url="https://meet.example.org/clamtex-dpp-webinar",
            capacity_online=12,
            audience=Event.Audience.PUBLIC,
            sessions=[("The digital product passport", dpp, dpp + timedelta(hours=1), ["dpp"], "")],
        ),
        "sensors": Spec(
            title=title + "sensors and smart textiles in production",
            kind=K.WORKSHOP,
            axis=Event.Axis.DIGITAL,
            organisers=["emc2"],
            tz=paris,
            start=sensors,
            end=sensors + timedelta(hours=7),
            summary="Hybrid workshop: sensor integration and smart textiles on the line.",
            audience=Event.Audience.PUBLIC,  # in the cluster's public feed
            city="Bouguenais",
            country="FR",
            venue_name="Pôle EMC2",
            online_url="https://meet.example.org/clamtex-smart-textiles",
            capacity_in_person=30,
            capacity_online=50,
            sessions=[
                (
                    "Smart textiles: the state of the art",
                    sensors,
                    sensors + timedelta(hours=2),
                    ["sensors"],
                    "",
                ),
                (
                    "Demonstrations on the production line",
                    sensors + timedelta(hours=3),
                    sensors + timedelta(hours=7),
                    ["sensors", "emc2"],
                    "",
                ),
            ],
            questions=[
                (
                    "Which digital tools does your company already use?",
                    Question.Kind.CHOICE,
                    "None yet\nERP only\nERP and MES\nSensors on the line",
                    True,
                ),
                ("What would you like to learn?", Question.Kind.TEXT, "", False),
            ],
        ),
    }


@dataclass
class Person:
    full_name: str
    email: str
    language: str
    organisation: Organisation | None = None
    user: object = None


def _member_people(members: dict[str, list[Organisation]]) -> dict[str, list[Person]]:
    """Per cluster, the main contacts of its member organisations (one query)."""
    orgs = [org for key in members for org in members[key]]
    contacts = {}
    for contact in Contact.objects.filter(organisation__in=orgs).order_by("-is_primary", "pk"):
        contacts.setdefault(contact.organisation_id, contact)
    return {
        key: [
            Person(c.full_name, c.email, c.language, org)
            for org in orgs_of_cluster
            if (c := contacts.get(org.pk)) is not None
        ]
        for key, orgs_of_cluster in members.items()
    }


def _mix(people: dict[str, list[Person]], keys: list[str], count: int, skip: int = 0):
    """`count` people taken in turn from the clusters `keys`, after the first `skip` of each."""
    chosen, i = [], skip
    while len(chosen) < count:
        for key in keys:
            if i < len(people[key]) and len(chosen) < count:
                chosen.append(people[key][i])
        i += 1
        if all(i >= len(people[key]) for key in keys):
            break
    return chosen


def _event(partnership: Partnership, clusters: dict[str, Cluster], spec: Spec) -> Event:
    event, _ = Event.objects.update_or_create(
        partnership=partnership,
        title=spec.title,
        defaults={
            "kind": spec.kind,
            "axis": spec.axis,
            "summary": spec.summary,
            "language": spec.language,
            "start": spec.start,
            "end": spec.end,
            "timezone": spec.tz,
            "venue_name": spec.venue_name,
            "venue_address": spec.venue_address,
            "city": spec.city,
            "country": spec.country,
            "online_url": spec.online_url,
            "audience": spec.audience,
            "capacity_in_person": spec.capacity_in_person,
            "capacity_online": spec.capacity_online,
            "approval_required": spec.approval_required,
            "status": Event.Status.PUBLISHED,
            "registration_opens": spec.start - timedelta(days=60),
            "registration_closes": spec.start - timedelta(hours=12),
        },
    )
    event.organisers.set([clusters[key] for key in spec.organisers])
    for title, start, end, speaker_keys, description in spec.sessions:
        session, _ = Session.objects.update_or_create(
            event=event,
            title=title,
            defaults={"start": start, "end": end, "description": description},
        )
        session.speakers.set([_speaker(key) for key in speaker_keys])
    for position, (label, kind, choices, required) in enumerate(spec.questions):
        Question.objects.update_or_create(
            event=event,
            label=label,
            defaults={"kind": kind, "choices": choices, "required": required, "position": position},
        )
    return event


def _speaker(key: str) -> Speaker:
    name, affiliation, bio = SPEAKERS[key]
    speaker, _ = Speaker.objects.update_or_create(
        name=name, defaults={"affiliation": affiliation, "bio": bio}
    )
    return speaker


def _register(event: Event, person: Person, status: str, mode: str = M.IN_PERSON, answers=None):
    registration, _ = Registration.objects.update_or_create(
        event=event,
        email=person.email,
        defaults={
            "full_name": person.full_name,
            "language": person.language,
            "organisation": person.organisation,
            "user": person.user,
            "mode": mode,
            "status": status,
            "answers": answers or {},
        },
    )
    return registration


def _feedback(registration: Registration, rating: int, comments: str = "") -> None:
    Feedback.objects.update_or_create(
        registration=registration, defaults={"rating": rating, "comments": comments}
    )


def _recount(event: Event) -> None:
    """Seats taken = seated registrations, per mode (the services' invariant)."""
    seated = Q(status__in=workflow.SEATED)
    counts = Registration.objects.filter(event=event).aggregate(
        in_person=Count("pk", filter=seated & Q(mode=M.IN_PERSON)),
        online=Count("pk", filter=seated & Q(mode=M.ONLINE)),
    )
    Event.objects.filter(pk=event.pk).update(
        taken_in_person=counts["in_person"], taken_online=counts["online"]
    )


def seed_events(
    *,
    partnership: Partnership,
    clusters: dict[str, Cluster],
    members: dict[str, list[Organisation]],
    accounts_users: dict | None = None,
) -> list[Event]:
    """Creates or refreshes the demo events. `accounts_users` ({email: user}, optional)
    links registrations to the demo accounts that exist."""
    users = accounts_users or {}
    people = _member_people(members)
    keys = list(clusters)

    def delegate(key: str) -> Person:
        name, language = DELEGATES[key]
        email = f"manager.{key}@clamtex.example"
        return Person(name, email, language, None, users.get(email))

    email, name, language = COORDINATOR
    coordinator = Person(name, email, language, None, users.get(email))
    specs = {**_past_specs(), **_upcoming_specs()}
    events = {key: _event(partnership, clusters, spec) for key, spec in specs.items()}

    # Kick-off: every partner in Terrassa, one by web conference.
    kickoff = events["kickoff"]
    _register(kickoff, coordinator, S.ATTENDED)
    at_kickoff = {
        key: _register(
            kickoff, delegate(key), S.ATTENDED, M.ONLINE if key == "produtech" else M.IN_PERSON
        )
        for key in keys
    }
    _feedback(at_kickoff["ateval"], 5, "The design thinking session gave us a common language.")
    _feedback(at_kickoff["produtech"], 4, "Good connection, even from Portugal.")

    remote = events["remote"]
    for key in keys:
        _register(remote, delegate(key), S.ATTENDED, M.ONLINE)
    _register(remote, coordinator, S.ATTENDED, M.ONLINE)

    strategy = events["strategy"]
    _register(strategy, coordinator, S.ATTENDED)
    for key in keys:
        _register(strategy, delegate(key), S.ATTENDED)

    lean = events["lean"]
    for i, person in enumerate(_mix(people, ["ateval", "aei"], 12)):
        registration = _register(lean, person, S.NO_SHOW if i in (5, 11) else S.ATTENDED)
        if i in (0, 3, 6):
            _feedback(registration, 5 - i // 3, "Practical and directly applicable." if i else "")

    for key, count, no_show in (("ara", 9, 8), ("norway", 6, None)):
        visit = events[key]
        for i, person in enumerate(_mix(people, keys, count, skip=2)):
            registration = _register(visit, person, S.NO_SHOW if i == no_show else S.ATTENDED)
            if i == 0:
                _feedback(registration, 4, "Inspiring companies, well organised.")

    # Upcoming: one place left at the digital-twin workshop.
    for person in _mix(people, keys, 19, skip=3):
        _register(events["twin"], person, S.REGISTERED)

    data = events["data"]
    for i, person in enumerate(_mix(people, ["produtech", "citeve"], 9, skip=1)):
        _register(data, person, S.PENDING if i >= 6 else S.REGISTERED)

    # The public webinar is full online: three people wait for a place.
    dpp = events["dpp"]
    for i, person in enumerate(_mix(people, keys, 15, skip=5)):
        _register(dpp, person, S.WAITLISTED if i >= 12 else S.REGISTERED, M.ONLINE)

    sensors = events["sensors"]
    tools, wishes = (q[0] for q in specs["sensors"].questions)
    choices = specs["sensors"].questions[0][2].splitlines()
    for i, person in enumerate(_mix(people, ["emc2", "aei", "citeve"], 8, skip=4)):
        answers = {tools: choices[i % len(choices)]}
        if i % 3 == 0:
            answers[wishes] = "Integrating sensors without slowing the line."
        _register(sensors, person, S.REGISTERED, M.ONLINE if i % 2 else M.IN_PERSON, answers)

    # The demo SME accounts have registrations of their own to look at.
    for key, event_key, status, mode in (
        ("aei", "sensors", S.REGISTERED, M.IN_PERSON),
        ("emc2", "sensors", S.REGISTERED, M.ONLINE),
        ("citeve", "data", S.PENDING, M.IN_PERSON),
        ("ateval", "lean", S.ATTENDED, M.IN_PERSON),
    ):
        email = f"sme.{key}@clamtex.example"
        if email in users:
            user = users[email]
            person = Person(user.full_name, email, user.language, members[key][0], user)
            _register(events[event_key], person, status, mode)

    for event in events.values():
        _recount(event)
    return list(events.values())
