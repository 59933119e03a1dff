"""Certificates of attendance: an HTML template printed to an A4 PDF by WeasyPrint."""

import logging

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Registration

logger = logging.getLogger(__name__)


class CertificateUnavailable(Exception):
    """The PDF engine (WeasyPrint or the system libraries it needs) is not installed."""


def certificate_context(registration: Registration) -> dict:
    event = registration.event
    organisers = list(event.organisers.all())
    return {
        "registration": registration,
        "event": event,
        "organisers": organisers,
        "partnership": event.partnership,
        "same_day": event.local_start.date() == event.local_end.date(),
        "place": ", ".join(str(p) for p in (event.venue_name, event.city, event.country.name) if p),
        "issued": timezone.localdate(),
        "reference": f"{event.pk}-{registration.pk}",
    }


def certificate_html(registration: Registration) -> str:
    with translation.override(registration.language):
        return render_to_string("workshops/certificate.html", certificate_context(registration))


def certificate_pdf(registration: Registration, *, base_url: str) -> bytes:
    """The PDF bytes. Raises CertificateUnavailable rather than failing with a 500 when
    WeasyPrint or its system libraries (Pango, HarfBuzz …) are missing."""
    html = certificate_html(registration)
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        logger.error("certificates: WeasyPrint cannot be loaded: %s", exc)
        raise CertificateUnavailable(str(exc)) from exc
    try:
        return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    except OSError as exc:
        logger.error("certificates: WeasyPrint failed: %s", exc)
        raise CertificateUnavailable(str(exc)) from exc
