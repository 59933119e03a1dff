"""Writes of the outbox. Queueing is idempotent (a unique row per recipient and occasion);
sending claims the row with a conditional update so only one worker sends it."""

from __future__ import annotations

import logging
import re
import smtplib
import socket
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from clamtex.core.queue import send_task

from . import kinds
from .models import Email, UnsubscribeToken, Unsubscription

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# A row claimed longer ago than this belongs to a worker that died: it is released.
STALE_CLAIM = timedelta(minutes=10)
# Pending rows older than this missed their enqueue (broker down): the sweep re-queues them.
STALE_PENDING = timedelta(minutes=3)
MAX_ATTEMPTS = 6


class TransientSendError(Exception):
    """The SMTP server or network failed in a way worth retrying."""


# Inside outbox_muted() nothing is queued (the demo is seeded through the services, and
# seeding writes to nobody: its story's emails belong to days that are past).
_muted: ContextVar[bool] = ContextVar("outbox_muted", default=False)


@contextmanager
def outbox_muted():
    """Queue no email inside this block (email_queue returns None, as for a duplicate)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_unsubscribed(email: str, category: str | None) -> bool:
    if category is None:
        return False
    return Unsubscription.objects.filter(email__iexact=email, category=category).exists()


def email_queue(
    *,
    kind: str,
    to: str,
    language: str,
    occasion_key: str,
    context: dict | None = None,
    about=None,
    user=None,
) -> Email | None:
    """Creates the outbox row and queues its sending after commit. Returns None when the
    row exists already (the same occasion for the same person is never created twice) or
    the person unsubscribed from this category (or inside outbox_muted)."""
    spec = kinds.get(kind)
    to = to.strip().lower()
    if _muted.get() or is_unsubscribed(to, spec.category):
        return None
    row = Email(
        recipient=to,
        user=user,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        kind=kind,
        occasion_key=occasion_key,
        context=context or {},
    )
    if about is not None:
        row.about = about
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return None
    transaction.on_commit(lambda: enqueue(row.pk))
    return row


def enqueue(email_id: int) -> bool:
    """Hands the row to Celery. If the broker is down the row simply stays pending and the
    periodic sweep queues it later: the request that created it must not fail."""
    try:
        send_task("notifications.tasks.email_send", email_id, retry=False)
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.warning(
            "outbox: could not enqueue email %s (%s); the sweep will retry", email_id, exc
        )
        return False
    return True


def unsubscribe_token(email: str, category: str) -> str:
    """A random token stored with the address (nothing about the person is readable in
    the link). One is reused for a month, so a digest does not create a row a day."""
    email = email.strip().lower()
    recent = (
        UnsubscribeToken.objects.filter(
            email=email,
            category=category,
            revoked_at__isnull=True,
            created_at__gte=timezone.now() - timedelta(days=30),
        )
        .order_by("-created_at")
        .first()
    )
    return (recent or UnsubscribeToken.objects.create(email=email, category=category)).token


def unsubscribe_url(email: str, category: str) -> str:
    return settings.SITE_URL + reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(email, category)]
    )


UNSUBSCRIBE_TOKEN_AGE = 400 * 24 * 3600  # links in emails keep working for over a year


def unsubscribe_token_read(token: str) -> dict:
    """The address and category behind an unsubscribe token (BadSignature if unknown,
    revoked or older than UNSUBSCRIBE_TOKEN_AGE). Signed tokens of emails sent before the
    tokens were stored keep working until they expire."""
    row = UnsubscribeToken.objects.filter(
        token=token,
        revoked_at__isnull=True,
        created_at__gte=timezone.now() - timedelta(seconds=UNSUBSCRIBE_TOKEN_AGE),
    ).first()
    if row is not None:
        data = {"e": row.email, "c": row.category}
    elif ":" in token:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_TOKEN_AGE)
    else:
        raise signing.BadSignature("unknown token")
    if data.get("c") not in kinds.CATEGORIES:
        raise signing.BadSignature("unknown category")
    return data


def unsubscribe_tokens_revoke(*, email: str) -> int:
    """Makes every unsubscribe link sent to `email` stop working."""
    return UnsubscribeToken.objects.filter(
        email=email.strip().lower(), revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def unsubscribe(*, token: str) -> Unsubscription:
    """No login: the signed token proves the link came from one of our emails."""
    data = unsubscribe_token_read(token)
    subscription, _ = Unsubscription.objects.get_or_create(email=data["e"], category=data["c"])
    Email.objects.filter(
        recipient=data["e"], status=Email.Status.PENDING, kind__in=_kinds_of(data["c"])
    ).update(status=Email.Status.CANCELLED, last_error="unsubscribed")
    return subscription


def _kinds_of(category: str) -> list[str]:
    return [k.name for k in kinds._KINDS.values() if k.category == category]


@transaction.atomic
def preferences_update(*, user, enabled: set[str]) -> None:
    """Per-user choice of the non-essential categories."""
    for category in kinds.CATEGORIES:
        if category in enabled:
            Unsubscription.objects.filter(email__iexact=user.email, category=category).delete()
        else:
            Unsubscription.objects.get_or_create(email=user.email.lower(), category=category)


def preferences_of(user) -> set[str]:
    off = set(
        Unsubscription.objects.filter(email__iexact=user.email).values_list("category", flat=True)
    )
    return set(kinds.CATEGORIES) - off


def email_render(row: Email) -> tuple[str, str, str, dict]:
    """Subject, text, HTML and extra headers, in the recipient's language."""
    spec = kinds.get(row.kind)
    headers = {}
    context = {
        **row.context,
        "email": row,
        "site_url": settings.SITE_URL,
        "portal_name": settings.PORTAL_NAME,
    }
    if spec.category:
        url = unsubscribe_url(row.recipient, spec.category)
        context["unsubscribe_url"] = url
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with translation.override(row.language):
        subject = render_to_string(f"{spec.template}_subject.txt", context).strip()
        text = render_to_string(f"{spec.template}.txt", context)
        html = render_to_string(f"{spec.template}.html", context)
    return " ".join(subject.split()), text, html, headers


def email_claim(email_id: int) -> bool:
    """Only one worker moves a row from pending to sending."""
    return bool(
        Email.objects.filter(pk=email_id, status=Email.Status.PENDING).update(
            status=Email.Status.SENDING,
            claimed_at=timezone.now(),
            updated_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


_TRANSIENT = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    socket.timeout,
    ConnectionError,
    TimeoutError,
)


def email_send(*, email_id: int) -> str:
    """Claims, renders, sends and records one outbox row. Returns the new status.
    Raises TransientSendError (the row is pending again) when a retry may succeed."""
    if not email_claim(email_id):
        return "skipped"
    row = Email.objects.get(pk=email_id)
    try:
        subject, text, html, headers = email_render(row)
        message = EmailMultiAlternatives(subject, text, to=[row.recipient], headers=headers)
        message.attach_alternative(html, "text/html")
        spec = kinds.get(row.kind)
        if spec.attachments is not None:
            for filename, content, mimetype in spec.attachments(row):
                message.attach(filename, content, mimetype)
        message.send()
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            return _release(row, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}")
        return _fail(row, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}")
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            return _release(row, f"recipient refused temporarily: {exc.recipients!r}")
        return _fail(row, f"recipient refused: {exc.recipients!r}")
    except _TRANSIENT as exc:
        return _release(row, f"{type(exc).__name__}: {exc}")
    except OSError as exc:
        return _release(row, f"{type(exc).__name__}: {exc}")
    Email.objects.filter(pk=row.pk).update(
        status=Email.Status.SENT, sent_at=timezone.now(), last_error="", updated_at=timezone.now()
    )
    return Email.Status.SENT


def _without_address(row: Email, text: str) -> str:
    """SMTP errors often quote the address ("<x@y>: Recipient address rejected")."""
    return re.sub(re.escape(row.recipient), "<recipient>", text, flags=re.IGNORECASE)


def _release(row: Email, error: str) -> str:
    if row.attempts >= MAX_ATTEMPTS:
        return _fail(row, f"gave up after {row.attempts} attempts; last error: {error}")
    Email.objects.filter(pk=row.pk, status=Email.Status.SENDING).update(
        status=Email.Status.PENDING, last_error=error, claimed_at=None, updated_at=timezone.now()
    )
    raise TransientSendError(_without_address(row, error))  # Celery logs it


def _fail(row: Email, error: str) -> str:
    # The outbox id identifies the row; the address stays in the database, out of the logs.
    logger.error("outbox: email %s (%s) failed: %s", row.pk, row.kind, _without_address(row, error))
    Email.objects.filter(pk=row.pk).update(
        status=Email.Status.FAILED, last_error=error, updated_at=timezone.now()
    )
    return Email.Status.FAILED


def outbox_recover(*, now=None) -> list[int]:
    """The sweep: releases rows whose worker died while sending, and returns the ids of
    pending rows old enough to have missed their enqueue. One query each."""
    now = now or timezone.now()
    Email.objects.filter(status=Email.Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Email.Status.PENDING,
        claimed_at=None,
        last_error="released: worker lost",
        updated_at=now - STALE_PENDING - timedelta(seconds=1),  # re-queued by this sweep
    )
    return list(
        Email.objects.filter(
            status=Email.Status.PENDING, updated_at__lt=now - STALE_PENDING
        ).values_list("pk", flat=True)
    )


def email_resend(*, email: Email) -> bool:
    """Administrator: a failed (or cancelled) row goes back to pending and is queued."""
    updated = Email.objects.filter(
        pk=email.pk, status__in=[Email.Status.FAILED, Email.Status.CANCELLED]
    ).update(
        status=Email.Status.PENDING,
        attempts=0,
        last_error="",
        claimed_at=None,
        updated_at=timezone.now(),
    )
    if updated:
        transaction.on_commit(lambda: enqueue(email.pk))
    return bool(updated)


def email_cancel(*, email: Email) -> bool:
    return bool(
        Email.objects.filter(pk=email.pk, status=Email.Status.PENDING).update(
            status=Email.Status.CANCELLED, last_error="cancelled by an administrator"
        )
    )
