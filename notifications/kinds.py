"""What kinds of email exist: their templates and whether a person may opt out.

A kind with a category is non-essential: it carries an unsubscribe link and a
List-Unsubscribe header, and is not created for someone who opted out of that category.
A kind without a category (account security, decisions) is always sent."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CATEGORIES = {
    "digest": _("Daily digest of what awaits me (cluster managers)"),
    "reminders": _("Reminders (events, deadlines, documents to sign)"),
    "announcements": _("Messages from event organisers to all participants"),
    "reports": _("Monthly progress reports of the programme (coordinator and managers)"),
    "submissions": _("An email for each application submitted to my cluster (cluster managers)"),
    "surveys": _("Follow-up surveys 3, 6 and 12 months after an exchange or a training"),
}


@dataclass(frozen=True)
class Kind:
    name: str
    template: str  # prefix: <template>_subject.txt, <template>.txt, <template>.html
    category: str | None = None  # None: essential, cannot be unsubscribed
    # row -> [(filename, content, mimetype)], built at send time (e.g. an .ics file)
    attachments: Callable | None = None

    @property
    def essential(self) -> bool:
        return self.category is None


_KINDS: dict[str, Kind] = {}


def register(
    name: str, template: str, category: str | None = None, attachments: Callable | None = None
) -> Kind:
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown email category {category!r}")
    kind = Kind(name=name, template=template, category=category, attachments=attachments)
    _KINDS[name] = kind
    return kind


def get(name: str) -> Kind:
    return _KINDS[name]


INVITATION = register("members.invitation", "members/email/invitation")
MANAGER_DIGEST = register("notifications.digest", "notifications/email/digest", "digest")
