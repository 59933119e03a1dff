"""Administration of the parties of other partnerships (registered through exchange/admin.py)."""

from django.contrib import admin

from ..models import ExternalParty


@admin.register(ExternalParty)
class ExternalPartyAdmin(admin.ModelAdmin):
    """Contacts may be corrected; the link (token hash, expiry, revocation) and the one-time
    code are managed by the services (revoke / send a new link on the exchange page)."""

    list_display = ["name", "role", "partnership_name", "exchange", "link_expires_at", "revoked_at"]
    list_filter = ["role", "country"]
    search_fields = ["name", "partnership_name", "contact_name", "contact_email"]
    raw_id_fields = ["exchange", "invited_by"]
    exclude = ["token_hash", "code_hash"]
    readonly_fields = [
        "link_expires_at",
        "revoked_at",
        "invited_at",
        "last_seen_at",
        "code_sent_at",
        "code_expires_at",
        "code_attempts",
        "codes_sent",
    ]
