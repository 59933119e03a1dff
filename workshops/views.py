"""HTTP of the workshops app: a view parses a form, checks a permission, calls one service,
and renders or redirects. Services raise ValidationError / PermissionDenied; views turn
them into form errors, messages or a 403."""

import calendar
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from clamtex.core.audit import audit_record
from clamtex.core.exports import csv_response, xlsx_response
from clamtex.core.security import rate_limited, ratelimit, sensitive
from members import selectors as member_selectors
from members.models import Cluster
from members.roles import scope_of

from . import certificates, permissions, selectors, services, workflow
from .filters import EventFilter, ParticipantFilter
from .forms import (
    EventForm,
    FeedbackForm,
    MessageForm,
    QuestionFormSet,
    ReasonForm,
    RegistrationForm,
    SessionFormSet,
    zone_of_post,
)
from .ics import calendar_bytes
from .models import CalendarFeed, Event, Registration

S = Registration.Status


# --- Helpers ---------------------------------------------------------------------------


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _next_url(request, default: str) -> str:
    """Where to go after a POST: a local `next` if one was given."""
    url = request.POST.get("next") or request.GET.get("next")
    # A path of ours only: redirect() would take any other word for a view name.
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return default


def _visible_event(request, pk: int, *, detail: bool = False) -> Event:
    """The event if the user may see it; otherwise 404 (its existence is not revealed)."""
    try:
        if detail:
            return selectors.event_detail(request.user, pk)
        return selectors.events_visible_to(request.user).get(pk=pk)
    except Event.DoesNotExist as exc:
        raise Http404 from exc


def _managed_event(request, pk: int) -> Event:
    """404 when the event is hidden from the user, 403 when they see it but do not
    organise it: another cluster's manager never reaches the participants."""
    event = _visible_event(request, pk)
    if not permissions.can_manage_event(request.user, event):
        raise PermissionDenied
    return event


def _managed_registration(request, pk: int) -> Registration:
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    if not permissions.can_manage_event(request.user, registration.event):
        raise Http404
    return registration


def _by_token(token: str) -> Registration:
    try:
        return selectors.registration_by_token(token)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def _ics_response(content: bytes, filename: str, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _registration_message(registration: Registration, *, anonymous: bool = False) -> str:
    """`anonymous`: a visitor without an account always reads the same answer, whatever
    the address's registration already was (no enumeration)."""
    values = {"name": registration.full_name, "email": registration.email}
    if anonymous or registration.status == S.UNCONFIRMED:
        return (
            _("Almost done: we sent a link to %(email)s. Open it to confirm the registration.")
            % values
        )
    if registration.status == S.PENDING:
        return (
            _(
                "Thank you. The organisers review each registration; %(email)s will receive "
                "their decision."
            )
            % values
        )
    if registration.status == S.WAITLISTED:
        return (
            _(
                "The event is full: %(name)s is on the waiting list and will be told by email "
                "as soon as a seat frees up."
            )
            % values
        )
    return (
        _("%(name)s is registered. A confirmation with a calendar file was sent to %(email)s.")
        % values
    )


def _registration_state(user, event: Event) -> str:
    """What the register area of the event page shows."""
    if event.status == Event.Status.CANCELLED:
        return "cancelled"
    if event.status == Event.Status.DRAFT:
        return "draft"
    if event.is_past:
        return "past"
    if not event.registration_is_open:
        if event.registration_opens and event.registration_opens > timezone.now():
            return "not_yet"
        return "closed"
    if not permissions.can_register(user, event):
        return "login" if not user.is_authenticated else "not_allowed"
    seats = [
        left
        for capacity, left in (
            (event.capacity_in_person, event.seats_left_in_person),
            (event.capacity_online, event.seats_left_online),
        )
        if capacity
    ]
    if not seats:
        return "no_seats"
    return "open" if any(seats) else "full"


# --- Event list, calendar, detail -----------------------------------------------------


@vary_on_headers("HX-Request")  # the same URL serves the page or the htmx fragment
def event_list(request):
    visible = selectors.events_visible_to(request.user)
    filterset = EventFilter(request.GET, queryset=visible)
    qs = filterset.qs if filterset.is_valid() else filterset.by_when(visible, "when", "upcoming")
    paginator = Paginator(selectors.event_list(request.user, queryset=qs), settings.PAGINATE_BY)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    my_event_ids = set()
    if request.user.is_authenticated:
        my_event_ids = set(
            selectors.registrations_of_user(request.user)
            .filter(event_id__in=[e.pk for e in page.object_list])
            .exclude(status=S.CANCELLED)
            .values_list("event_id", flat=True)
        )
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "my_event_ids": my_event_ids,
        "can_create": permissions.can_create_event(request.user),
    }
    template = "workshops/_event_results.html" if request.htmx else "workshops/event_list.html"
    return render(request, template, context)


_PK_MARK = 987654321


def calendar_month(request, year: int | None = None, month: int | None = None):
    today = timezone.localdate()
    if year is None or month is None:
        year, month = today.year, today.month
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise Http404
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    # A day of margin each side: events are placed on the days of their own time zone.
    lo = datetime.combine(first, time.min, tzinfo=UTC) - timedelta(days=1)
    hi = datetime.combine(last, time.max, tzinfo=UTC) + timedelta(days=1)
    events = list(
        selectors.events_visible_to(request.user)
        .filter(start__lte=hi, end__gte=lo)
        .only("pk", "title", "status", "start", "end", "timezone")
        .order_by("start", "pk")
    )
    month_first = date(year, month, 1)
    month_last = date(year, month, calendar.monthrange(year, month)[1])
    by_day = defaultdict(list)
    month_events = []
    # One reverse() for the links of the whole month: a landscape's month holds ~400 events
    # shown twice (grid and list), and {% url %} cost a tenth of a millisecond each.
    head, tail = reverse("workshops:event_detail", args=[_PK_MARK]).rsplit(str(_PK_MARK), 1)
    for event in events:
        event.detail_url = f"{head}{event.pk}{tail}"
        local_start = event.local_start
        start_day, end_day = local_start.date(), event.local_end.date()
        if end_day < first or start_day > last:
            continue
        day = max(start_day, first)
        while day <= min(end_day, last):
            # The start time (on the event's clock) is shown on its first day only.
            by_day[day].append((event, f"{local_start:%H:%M} " if day == start_day else ""))
            day += timedelta(days=1)
        if start_day <= month_last and end_day >= month_first:
            month_events.append(event)
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    context = {
        "month": month_first,
        "weekdays": weeks[0],
        "weeks": [
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "today": day == today,
                    "events": by_day.get(day, []),
                }
                for day in week
            ]
            for week in weeks
        ],
        "month_events": month_events,
        "previous": previous if previous[0] >= 1900 else None,
        "following": following if following[0] <= 2200 else None,
        "this_month": (today.year, today.month),
    }
    return render(request, "workshops/calendar.html", context)


def event_detail(request, pk: int):
    event = _visible_event(request, pk, detail=True)
    user = request.user
    can_manage = permissions.can_manage_event(user, event)
    mine = []
    if user.is_authenticated:
        mine = list(
            selectors.registrations_of_user(user).filter(event=event).exclude(status=S.CANCELLED)
        )
        for registration in mine:
            registration.actions = selectors.registration_actions(registration, event)
    online_access = can_manage or any(
        r.mode == Registration.Mode.ONLINE and r.status in workflow.SEATED for r in mine
    )
    context = {
        "event": event,
        "organisers": list(event.organisers.all()),
        "sessions": list(event.sessions.all()),
        "can_manage": can_manage,
        "mine": mine,
        "online_access": online_access,
        "state": _registration_state(user, event),
        "can_register_colleagues": user.is_authenticated
        and permissions.can_register_colleagues(user),
    }
    if can_manage:
        counts = selectors.participant_counts(event).get("_total", {})
        context["counts"] = {
            "registered": counts.get(S.REGISTERED, 0)
            + counts.get(S.ATTENDED, 0)
            + counts.get(S.NO_SHOW, 0),
            "waitlisted": counts.get(S.WAITLISTED, 0),
            "pending": counts.get(S.PENDING, 0),
        }
    return render(request, "workshops/event_detail.html", context)


def event_ics(request, pk: int):
    event = _visible_event(request, pk)
    # A participant registered online gets a personal file with the meeting link.
    online = selectors.online_event_ids(request.user, [event.pk])
    content = calendar_bytes([event], name=event.title, online_event_ids=online)
    return _ics_response(content, f"event-{event.pk}.ics")


# --- Personal calendar feed -----------------------------------------------------------


@login_required
def feed(request):
    if request.method == "POST":
        services.calendar_feed_regenerate(user=request.user)
        messages.success(
            request,
            _("Your calendar has a new address. Replace the old one in your calendar app."),
        )
        return redirect("workshops:feed")
    calendar_feed = services.calendar_feed_get(user=request.user)
    url = settings.SITE_URL + reverse("workshops:feed_ics", args=[calendar_feed.token])
    webcal = "webcal://" + url.split("://", 1)[-1]
    return render(request, "workshops/feed.html", {"feed_url": url, "webcal_url": webcal})


@never_cache
def feed_ics(request, token: str):
    """No login: calendar apps cannot log in. The secret address is the permission."""
    calendar_feed = get_object_or_404(
        CalendarFeed.objects.select_related("user"), token=token, user__is_active=True
    )
    events = list(selectors.feed_events(calendar_feed))
    online = selectors.online_event_ids(calendar_feed.user, [e.pk for e in events])
    content = calendar_bytes(events, name=_("My CLAMTEX events"), online_event_ids=online)
    return _ics_response(content, "clamtex.ics", attachment=False)


# --- Registration ---------------------------------------------------------------------


def register(request, pk: int):
    event = _visible_event(request, pk, detail=True)
    user = request.user
    if not permissions.can_register(user, event):
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    if not event.registration_is_open:
        messages.error(request, _("Registration for this event is closed."))
        return redirect("workshops:event_detail", pk=event.pk)
    colleague = (
        request.GET.get("for") == "colleague"
        and user.is_authenticated
        and permissions.can_register_colleagues(user)
    )
    form = RegistrationForm(
        request.POST or None,
        event=event,
        user=user,
        colleague=colleague,
        organisations=(
            member_selectors.organisations_of_representative(user)
            if user.is_authenticated
            else None
        ),
        language=request.LANGUAGE_CODE,
    )
    if not form.fields["mode"].choices:
        messages.error(request, _("This event has no seats to register for."))
        return redirect("workshops:event_detail", pk=event.pk)
    if request.method == "POST" and not user.is_authenticated:
        limited = rate_limited(
            request, action="event_register", key=request.POST.get("email", "")[:254] or None
        )
        if limited:
            return limited
    if request.method == "POST" and colleague:
        # Each colleague registered gets an email: a representative's account cannot be
        # used to make the portal mail any number of addresses.
        limited = rate_limited(request, action="event_register_colleague")
        if limited:
            return limited
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                event=event,
                full_name=data["full_name"],
                email=data["email"],
                mode=data["mode"],
                language=data.get("language") or getattr(user, "language", "en"),
                answers=form.answers(),
                user=user if form.self_registration else None,
                organisation=data.get("organisation"),
                by=user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _registration_message(registration, anonymous=not user.is_authenticated),
            )
            return redirect("workshops:event_detail", pk=event.pk)
    context = {
        "event": event,
        "form": form,
        "colleague": colleague,
        "can_register_colleagues": user.is_authenticated
        and permissions.can_register_colleagues(user),
    }
    return render(request, "workshops/register.html", context)


@never_cache
def registration_cancel(request, token: str):
    """The link in every email: GET asks, POST cancels (a mail scanner's GET changes
    nothing)."""
    registration = _by_token(token)
    if request.method == "POST":
        by = request.user if request.user.is_authenticated else None
        try:
            services.registration_cancel(
                registration=registration, by=by, note="cancelled by the participant"
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The registration for %(event)s is cancelled.")
                % {"event": registration.event.title},
            )
        return redirect(_next_url(request, reverse("workshops:registration_cancel", args=[token])))
    context = {
        "registration": registration,
        "event": registration.event,
        "actions": selectors.registration_actions(registration),
    }
    return render(request, "workshops/registration_cancel.html", context)


@never_cache
def registration_confirm(request, token: str):
    """The link sent to people without an account: GET shows a button, POST confirms."""
    registration = _by_token(token)
    if request.method == "POST":
        try:
            registration = services.registration_confirm_email(token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _registration_message(registration))
        return redirect("workshops:registration_confirm", token=token)
    context = {
        "registration": registration,
        "event": registration.event,
        "actions": selectors.registration_actions(registration),
    }
    return render(request, "workshops/registration_confirm.html", context)


@never_cache
def feedback(request, token: str):
    registration = _by_token(token)
    actions = selectors.registration_actions(registration)
    try:
        existing = registration.feedback
    except ObjectDoesNotExist:
        existing = None
    initial = {"rating": existing.rating, "comments": existing.comments} if existing else None
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and actions["feedback"] and form.is_valid():
        try:
            services.feedback_submit(
                registration=registration,
                rating=form.cleaned_data["rating"],
                comments=form.cleaned_data["comments"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("workshops:feedback", token=token)
    context = {
        "registration": registration,
        "event": registration.event,
        "actions": actions,
        "form": form,
        "existing": existing,
    }
    return render(request, "workshops/feedback.html", context)


def certificate(request, token: str):
    registration = _by_token(token)
    if not selectors.registration_actions(registration)["certificate"]:
        return render(
            request,
            "workshops/certificate_unavailable.html",
            {"registration": registration, "event": registration.event, "reason": "status"},
            status=403,
        )
    try:
        pdf = certificates.certificate_pdf(registration, base_url=request.build_absolute_uri("/"))
    except certificates.CertificateUnavailable:
        return render(
            request,
            "workshops/certificate_unavailable.html",
            {"registration": registration, "event": registration.event, "reason": "engine"},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{registration.event_id}.pdf"'
    return response


@login_required
def my_registrations(request):
    paginator = Paginator(selectors.registrations_of_user(request.user), settings.PAGINATE_BY)
    page = paginator.get_page(request.GET.get("page"))
    for registration in page.object_list:
        registration.actions = selectors.registration_actions(registration)
    return render(request, "workshops/my_registrations.html", {"page": page})


# --- Organisers: events -----------------------------------------------------------------


def _managed_ids(user):
    scope = scope_of(user)
    return None if scope.is_admin else set(scope.managed_cluster_ids)


def _organiser_choices(user, event: Event | None = None):
    """Organisers and co-organisers: any cluster of the partnerships of the clusters the
    user manages (the form requires one of their own), plus the current organisers."""
    scope = scope_of(user)
    if scope.is_admin:
        return Cluster.objects.order_by("acronym")
    managed = member_selectors.clusters_managed_by(user)
    condition = Q(partnership_id__in=managed.values("partnership_id"))
    if event is not None:
        condition |= Q(id__in=event.organisers.values("id"))
    return Cluster.objects.filter(condition).order_by("acronym")


@login_required
def event_create(request):
    if not permissions.can_create_event(request.user):
        raise PermissionDenied
    form = EventForm(
        request.POST or None,
        clusters=_organiser_choices(request.user),
        managed_ids=_managed_ids(request.user),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_save(
                event=Event(),
                data=form.event_data(),
                organisers=form.cleaned_data["organisers"],
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The event was saved as a draft. Add its agenda and questions, then publish it."),
            )
            return redirect("workshops:event_edit", pk=event.pk)
    return render(request, "workshops/event_form.html", {"form": form, "creating": True})


@login_required
def event_edit(request, pk: int):
    event = _managed_event(request, pk)
    clusters = _organiser_choices(request.user, event)
    data = request.POST or None
    form = EventForm(
        data, instance=event, clusters=clusters, managed_ids=_managed_ids(request.user)
    )
    tz = zone_of_post(data, event.tz)
    sessions = SessionFormSet(data, instance=event, prefix="sessions", form_kwargs={"tz": tz})
    questions = QuestionFormSet(data, instance=event, prefix="questions")
    if request.method == "POST" and all(
        [form.is_valid(), sessions.is_valid(), questions.is_valid()]
    ):
        try:
            with transaction.atomic():
                saved = services.event_save(
                    event=event,
                    data=form.event_data(),
                    organisers=form.cleaned_data["organisers"],
                    by=request.user,
                )
                services.event_agenda_save(
                    event=saved,
                    sessions_formset=sessions,
                    questions_formset=questions,
                    by=request.user,
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The event was saved."))
            return redirect("workshops:event_detail", pk=event.pk)
    context = {"form": form, "event": event, "sessions": sessions, "questions": questions}
    return render(request, "workshops/event_form.html", context)


@login_required
@require_POST
def event_publish(request, pk: int):
    event = _managed_event(request, pk)
    try:
        services.event_publish(event=event, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The event is published: people can now register."))
    return redirect("workshops:event_detail", pk=event.pk)


@login_required
@require_POST
def event_duplicate(request, pk: int):
    event = _managed_event(request, pk)
    copy = services.event_duplicate(event=event, by=request.user)
    messages.success(
        request, _("This is a draft copy of %(title)s. Change its dates.") % {"title": event.title}
    )
    return redirect("workshops:event_edit", pk=copy.pk)


@login_required
def event_cancel(request, pk: int):
    event = _managed_event(request, pk)
    form = ReasonForm(request.POST or None)
    if event.status == Event.Status.CANCELLED:
        messages.info(request, _("This event is already cancelled."))
        return redirect("workshops:event_detail", pk=event.pk)
    if request.method == "POST" and form.is_valid():
        services.event_cancel(event=event, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("The event is cancelled. Everyone registered or waiting is being told.")
        )
        return redirect("workshops:event_detail", pk=event.pk)
    counts = selectors.participant_counts(event).get("_total", {})
    affected = sum(counts.get(s, 0) for s in (S.UNCONFIRMED, S.PENDING, S.REGISTERED, S.WAITLISTED))
    return render(
        request,
        "workshops/event_cancel.html",
        {"event": event, "form": form, "affected": affected},
    )


# --- Organisers: participants ---------------------------------------------------------


def _participant_filter(request, event: Event) -> ParticipantFilter:
    return ParticipantFilter(request.GET, queryset=selectors.registrations_of(event))


def _decorate(rows, event: Event, questions) -> list:
    """What a participant row shows besides the registration: its next actions and the
    answers in the order of the questions."""
    rows = list(rows)
    for registration in rows:
        registration.actions = selectors.registration_actions(registration, event)
        registration.answer_list = [
            (q.label, registration.answers.get(q.label, "")) for q in questions
        ]
    return rows


@login_required
@vary_on_headers("HX-Request")  # the same URL serves the page or the htmx fragment
def participants(request, pk: int):
    event = _managed_event(request, pk)
    filterset = _participant_filter(request, event)
    qs = filterset.qs if filterset.is_valid() else filterset.queryset
    page = Paginator(qs, settings.PAGINATE_BY).get_page(request.GET.get("page"))
    questions = list(event.questions.all())
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "event": event,
        "filter": filterset,
        "page": page,
        "rows": _decorate(page.object_list, event, questions),
        "questions": questions,
        "query": query.urlencode(),
        "back": request.get_full_path(),
    }
    if request.htmx:
        return render(request, "workshops/_participants_results.html", context)
    counts = selectors.participant_counts(event)
    context["count_rows"] = [
        {
            "label": label,
            "in_person": counts.get(value, {}).get(Registration.Mode.IN_PERSON, 0),
            "online": counts.get(value, {}).get(Registration.Mode.ONLINE, 0),
            "total": counts.get("_total", {}).get(value, 0),
        }
        for value, label in S.choices
    ]
    summary = selectors.feedback_summary(event)
    total = summary["count"] or 0
    summary["bars"] = [
        (
            rating,
            summary["distribution"].get(rating, 0),
            round(100 * summary["distribution"].get(rating, 0) / total) if total else 0,
        )
        for rating in range(5, 0, -1)
    ]
    context["feedback"] = summary
    return render(request, "workshops/participants.html", context)


def _participants_export(request, pk: int, fmt: str):
    event = _managed_event(request, pk)
    filterset = _participant_filter(request, event)
    if not filterset.is_valid():
        messages.error(request, _("The filters are not valid; nothing was exported."))
        return redirect("workshops:participants", pk=event.pk)
    labels = [q.label for q in event.questions.all()]
    header = [
        _("Full name"),
        _("Email"),
        _("Organisation"),
        _("Attendance"),
        _("Status"),
        _("Language"),
        _("Registered on"),
        _("Feedback given"),
        *labels,
    ]
    yes, no = _("yes"), _("no")

    def rows():
        for r in filterset.qs.iterator(chunk_size=2000):
            yield [
                r.full_name,
                r.email,
                r.organisation.legal_name if r.organisation else "",
                str(r.get_mode_display()),
                str(r.get_status_display()),
                str(r.get_language_display()),
                timezone.localtime(r.created_at, event.tz).strftime("%Y-%m-%d %H:%M"),
                yes if r.has_feedback else no,
                *[str(r.answers.get(label, "")) for label in labels],
            ]

    filename = f"participants-{event.pk}.{fmt}"
    audit_record(action="export", target=event, summary=filename)
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows())
    return csv_response(filename, header, rows())


@login_required
@sensitive
def participants_csv(request, pk: int):
    return _participants_export(request, pk, "csv")


@login_required
@sensitive
def participants_xlsx(request, pk: int):
    return _participants_export(request, pk, "xlsx")


@login_required
@ratelimit("participants_message")
def participants_message(request, pk: int):
    event = _managed_event(request, pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        recipients = (
            selectors.registrations_of(event)
            .filter(status__in=form.statuses())
            .select_related("event")
        )
        if form.cleaned_data["mode"]:
            recipients = recipients.filter(mode=form.cleaned_data["mode"])
        count = services.participants_message(
            event=event,
            registrations=recipients,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            by=request.user,
        )
        if count:
            messages.success(
                request,
                ngettext(
                    "%(n)d email was queued; it leaves in the next minutes.",
                    "%(n)d emails were queued; they leave in the next minutes.",
                    count,
                )
                % {"n": count},
            )
        else:
            messages.warning(
                request,
                _("No email was queued: nobody matches these recipients, or they opted out."),
            )
        return redirect("workshops:participants", pk=event.pk)
    return render(request, "workshops/participants_message.html", {"event": event, "form": form})


def _row_response(request, registration: Registration, error: str = ""):
    """The participant's table row again, for htmx to swap in place."""
    event = registration.event
    row = selectors.registrations_of(event).get(pk=registration.pk)
    [row] = _decorate([row], event, list(event.questions.all()))
    context = {
        "r": row,
        "event": event,
        "error": error,
        "back": _next_url(request, reverse("workshops:participants", args=[event.pk])),
    }
    return render(request, "workshops/_participant_row.html", context)


@login_required
@require_POST
def registration_mark(request, pk: int):
    """Check-in: one tap per person, the row is swapped in place (htmx)."""
    registration = _managed_registration(request, pk)
    error = ""
    try:
        services.registration_mark(
            registration=registration, status=request.POST.get("status", ""), by=request.user
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return _row_response(request, registration, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("%(name)s: attendance recorded.") % {"name": registration.full_name}
        )
    return redirect(
        _next_url(request, reverse("workshops:participants", args=[registration.event_id]))
    )


@login_required
@require_POST
def registration_approve(request, pk: int):
    registration = _managed_registration(request, pk)
    error = ""
    try:
        services.registration_approve(registration=registration, by=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return _row_response(request, registration, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s was approved.") % {"name": registration.full_name})
    return redirect(
        _next_url(request, reverse("workshops:participants", args=[registration.event_id]))
    )


def _organiser_confirm(request, pk: int, *, decline: bool):
    registration = _managed_registration(request, pk)
    back = _next_url(request, reverse("workshops:participants", args=[registration.event_id]))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if decline:
                services.registration_reject(
                    registration=registration, by=request.user, reason=form.cleaned_data["reason"]
                )
            else:
                services.registration_cancel(
                    registration=registration,
                    by=request.user,
                    note=form.cleaned_data["reason"] or "cancelled by the organiser",
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            text = (
                _("%(name)s was declined.")
                if decline
                else _("%(name)s's registration was cancelled.")
            )
            messages.success(request, text % {"name": registration.full_name})
        return redirect(back)
    if decline:
        form.fields["reason"].label = _("Reason (sent to the person)")
    else:
        form.fields["reason"].label = _("Note for the history (not sent)")
    context = {
        "registration": registration,
        "event": registration.event,
        "form": form,
        "decline": decline,
        "back": back,
    }
    return render(request, "workshops/registration_organiser_confirm.html", context)


@login_required
def registration_decline(request, pk: int):
    return _organiser_confirm(request, pk, decline=True)


@login_required
def registration_cancel_by_organiser(request, pk: int):
    return _organiser_confirm(request, pk, decline=False)
