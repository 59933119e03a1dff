from django import template
from django.template.defaultfilters import linebreaks
from django.utils import formats, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from privacy.consents import notice_current

register = template.Library()


@register.simple_tag(takes_context=True)
def privacy_notice_text(context):
    """The notice in force, in the current language, with its version and date."""
    notice = notice_current()
    if notice is None:
        return ""
    text = linebreaks(notice.text_for(translation.get_language()), autoescape=True)
    footer = format_html(
        '<p class="small text-muted mb-0">{}</p>',
        _("Privacy notice, version %(version)s, in force from %(date)s.")
        % {
            "version": notice.version,
            "date": formats.date_format(notice.published_at, "DATE_FORMAT"),
        },
    )
    return mark_safe(text + footer)  # noqa: S308 — both parts are escaped above
