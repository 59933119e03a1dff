"""Small rules of the exchange lifecycle shared by services.py (the lifecycle services)
and reminders.py (the emails): who signs which document, and when the payment is due.

They live here so that services.py may import reminders.py without reminders.py importing
services.py back (no import circle)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from ..models import Exchange, ExchangeDocument, Signature

R = Signature.Role
# The payment is due this many days after the closing report is validated.
PAYMENT_DUE_DAYS = 10
SIGNERS = {
    ExchangeDocument.Kind.COMMITMENT: (R.VO, R.HO, R.VOP, R.HOP),
    ExchangeDocument.Kind.FINANCIAL: (R.VO, R.VOP),
}


def signatures_missing(document: ExchangeDocument) -> list[str]:
    """The roles that still have to sign a current document (uses prefetched signatures)."""
    if document.voided_at is not None:
        return []
    signed = {s.role for s in document.signatures.all()}
    return [role for role in SIGNERS[document.kind] if role not in signed]


def payment_due_on(exchange: Exchange) -> date | None:
    report = getattr(exchange, "report", None)
    if report is None or report.validated_at is None:
        return None
    return timezone.localdate(report.validated_at) + timedelta(days=PAYMENT_DUE_DAYS)
