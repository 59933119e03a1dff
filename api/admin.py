from django.contrib import admin

from .models import ApiToken, WebhookDelivery, WebhookSubscription


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scope", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    list_select_related = ["user"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "cluster", "is_active", "consecutive_failures", "created_at"]
    list_filter = ["is_active", "cluster__partnership"]
    search_fields = ["url", "cluster__acronym"]
    autocomplete_fields = ["cluster"]
    readonly_fields = ["consecutive_failures", "created_by", "created_at"]
    list_select_related = ["cluster"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "event_type", "subscription", "status", "attempts", "created_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["message_id", "subscription__url"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    list_select_related = ["subscription__cluster"]
