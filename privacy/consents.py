"""The privacy notice in force and the consent records. Imported by the features that
collect consent (exchange, workshops, accounts): it imports nothing of theirs."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Consent, PrivacyNotice


def notice_current() -> PrivacyNotice | None:
    """The latest version already in force (None only before the first is published)."""
    return (
        PrivacyNotice.objects.filter(published_at__lte=timezone.now()).order_by("-version").first()
    )


def consent_record(*, purpose: str, record, user=None, email: str = "") -> Consent | None:
    """Records that the person accepted the notice in force for `record` (an application,
    a registration, a user). Once per record and notice version: saving the same step again
    changes nothing; accepting a newer version adds a row."""
    notice = notice_current()
    if notice is None:
        return None
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    email = (email or getattr(user, "email", "") or "").strip().lower()
    try:
        with transaction.atomic():
            consent, _created = Consent.objects.get_or_create(
                purpose=purpose,
                object_id=str(record.pk),
                notice=notice,
                defaults={"user": user, "email": email},
            )
    except IntegrityError:  # the same consent recorded by a parallel request
        consent = Consent.objects.get(purpose=purpose, object_id=str(record.pk), notice=notice)
    return consent
