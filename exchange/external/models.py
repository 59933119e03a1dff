"""Parties of an exchange that are not on the portal: the host organisation and its
partnership (HO, HOP) when the host belongs to another partnership, or the visitor and its
partnership (VO, VOP) when a visitor of another partnership comes to this partnership's
members. Each acts through a private link (a random token; only its SHA-256 is stored),
which expires and can be revoked by the manager who invited them. Imported by exchange/models.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..placements.models import Exchange, Signature


class ExternalParty(models.Model):
    """One party of one exchange, with its contact person. For HO and VO the organisation
    is also recorded as a members.Organisation row without any membership (the exchange,
    the grant and the documents read it like any organisation); HOP and VOP are the
    cluster organisations of the other partnership."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="external_parties"
    )
    role = models.CharField(_("acts as"), max_length=3, choices=Signature.Role)
    name = models.CharField(_("organisation"), max_length=300)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120)
    address = models.CharField(_("address"), max_length=300, blank=True)
    partnership_name = models.CharField(_("partnership"), max_length=300)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    contact_language = models.CharField(
        _("contact's language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    link_expires_at = models.DateTimeField(_("link valid until"))
    revoked_at = models.DateTimeField(_("link revoked"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The one-time code that re-confirms the email address before a signature.
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    codes_sent = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("external party")
        verbose_name_plural = _("external parties")
        ordering = ["exchange", "role"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "role"], name="one_external_party_per_role")
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    @property
    def link_active(self) -> bool:
        return self.revoked_at is None and self.link_expires_at > timezone.now()
