"""PDFs of the exchange: the generated documents (Commitment to Quality, financial
agreement) and the certificates of participation, printed by WeasyPrint from HTML.

A document's PDF shows exactly the stored `content` (what the hash covers), then the
signatures with their time and the hash each one signed. If WeasyPrint or its system
libraries are missing, PdfUnavailable is raised and the view answers 503."""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_currency
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django_countries import countries

from ..models import ActivityType, Exchange, ExchangeDocument, Signature
from . import services as lifecycle
from .forms import agenda_lines

logger = logging.getLogger(__name__)


class PdfUnavailable(Exception):
    """The PDF engine (WeasyPrint or the system libraries it needs) is not installed."""


def _write_pdf(html: str, *, base_url: str) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        logger.error("exchange pdf: WeasyPrint cannot be loaded: %s", exc)
        raise PdfUnavailable(str(exc)) from exc
    try:
        return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    except OSError as exc:
        logger.error("exchange pdf: WeasyPrint failed: %s", exc)
        raise PdfUnavailable(str(exc)) from exc


def _locale() -> str:
    """The document's language (the active one) as a Babel locale."""
    return translation.to_locale(translation.get_language() or "en")


def babel_date(value) -> str:
    return format_date(value, format="long", locale=_locale()) if value else ""


def babel_money(value) -> str:
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_currency(amount, "EUR", locale=_locale())


def _party_view(party: dict | None) -> dict:
    party = dict(party or {})
    party["country_name"] = str(countries.name(party.get("country") or "")) if party else ""
    return party


def document_context(document: ExchangeDocument) -> dict:
    """What the document page and its PDF show, read from the stored content only (never
    from the current plan, which may have changed since)."""
    content = document.content or {}
    labels = dict(ActivityType.choices)
    role_labels = dict(Signature.Role.choices)
    signed = {s.role: s for s in document.signatures.all()}
    signers = [
        {
            "role": role,
            "label": role_labels[role],
            "signature": signed.get(role),
            "hash_ok": role in signed and signed[role].document_hash == document.content_hash,
        }
        for role in lifecycle.SIGNERS[document.kind]
    ]
    return {
        "document": document,
        "content": content,
        "start": parse_date(content["start"]) if content.get("start") else None,
        "end": parse_date(content["end"]) if content.get("end") else None,
        "start_text": babel_date(parse_date(content["start"])) if content.get("start") else "",
        "end_text": babel_date(parse_date(content["end"])) if content.get("end") else "",
        "grant_text": babel_money(content.get("grant")),
        "visitor_party": _party_view(content.get("visitor_party")),
        "host_party": _party_view(content.get("host_party")),
        "agenda": agenda_lines(content.get("agenda")),
        "activities": [str(labels.get(a, a)) for a in content.get("activity_types") or []],
        "signers": signers,
        "fully_signed": all(s["signature"] for s in signers),
        "is_financial": document.kind == ExchangeDocument.Kind.FINANCIAL,
        "hash_ok": lifecycle.content_hash(content) == document.content_hash,
        "printed": timezone.now(),
    }


def document_html(document: ExchangeDocument) -> str:
    return render_to_string("exchange/exchange/document_pdf.html", document_context(document))


def document_pdf(document: ExchangeDocument, *, base_url: str) -> bytes:
    return _write_pdf(document_html(document), base_url=base_url)


def certificate_context(exchange: Exchange, side: str) -> dict:
    plan = getattr(exchange, "plan", None)
    report = getattr(exchange, "report", None)
    visitor = side == "visitor"
    start = (report.actual_start if report else None) or (plan.start_date if plan else None)
    end = (report.actual_end if report else None) or (plan.end_date if plan else None)
    return {
        "start_text": babel_date(start),
        "end_text": babel_date(end),
        "issued_text": babel_date(timezone.localdate()),
        "funding_statement": lifecycle.FUNDING_STATEMENT,
        "exchange": exchange,
        "plan": plan,
        "side": side,
        "organisation": exchange.visitor_organisation if visitor else exchange.host_organisation,
        "counterpart": exchange.host_organisation if visitor else exchange.visitor_organisation,
        "cluster": exchange.visitor_cluster if visitor else exchange.host_cluster,
        # (one side may be of another partnership: its cluster is not on this portal)
        "partnership": (exchange.visitor_cluster or exchange.host_cluster).partnership,
        "issued": timezone.localdate(),
        "reference": f"CX-{exchange.pk}-{'V' if visitor else 'H'}",
    }


def certificate_pdf(exchange: Exchange, side: str, *, base_url: str) -> bytes:
    html = render_to_string(
        "exchange/exchange/certificate_pdf.html", certificate_context(exchange, side)
    )
    return _write_pdf(html, base_url=base_url)
