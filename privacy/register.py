"""The record of processing activities (GDPR article 30), as data. Retention periods are
read from the settings, so the register always says what the portal actually does."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Activity:
    name: str
    purpose: str
    data: str
    subjects: str
    legal_basis: str
    retention: str
    recipients: str


def _days(n: int) -> str:
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def activities() -> list[Activity]:
    s = settings
    return [
        Activity(
            name=_("Accounts"),
            purpose=_("Log in to the portal; send account and security emails."),
            data=_("Email address, name, phone, language, password hash, MFA keys, last login."),
            subjects=_("Users: member representatives, applicants, cluster staff."),
            legal_basis=_("Contract (terms of use of the portal)."),
            retention=_("Until the account is deleted by its owner or an administrator."),
            recipients=_("Portal administrators."),
        ),
        Activity(
            name=_("Member directory"),
            purpose=_("Keep the clusters' member organisations and their contacts."),
            data=_("Contacts' name, job title, email, phone, language, consent to be contacted."),
            subjects=_("Contacts at member organisations."),
            legal_basis=_("Legitimate interest of the clusters (membership management)."),
            retention=_("While the organisation is a member; deleted on erasure of the person."),
            recipients=_(
                "Managers of the organisation's clusters, the coordinator, the organisation's "
                "representatives."
            ),
        ),
        Activity(
            name=_("Events and registrations"),
            purpose=_("Register participants, manage seats, send reminders and certificates."),
            data=_("Name, email, organisation, attendance mode, answers, attendance, feedback."),
            subjects=_("Participants, with or without an account."),
            legal_basis=_("Contract (the registration); legitimate interest for reminders."),
            retention=_(
                "Registrations without an account: anonymised %(after)s after the event, or "
                "%(unconfirmed)s after registering if never confirmed."
            )
            % {
                "after": _days(s.PRIVACY_RETENTION_ANONYMOUS_REGISTRATIONS_DAYS),
                "unconfirmed": _days(s.PRIVACY_RETENTION_UNCONFIRMED_REGISTRATIONS_DAYS),
            },
            recipients=_("Managers of the organiser clusters, the coordinator."),
        ),
        Activity(
            name=_("ClusterXchange applications"),
            purpose=_("Check eligibility, review applications, find counterparts."),
            data=_(
                "Applicant's identity, motivation, availability, nationality conditions, CV "
                "and supporting documents."
            ),
            subjects=_("Applicants (visitors and hosts)."),
            legal_basis=_(
                "Steps taken at the applicant's request before a contract; consent "
                "for the catalogue."
            ),
            retention=_(
                "Rejected or withdrawn: deleted with their documents %(days)s after the "
                "last change."
            )
            % {"days": _days(s.PRIVACY_RETENTION_CLOSED_APPLICATIONS_DAYS)},
            recipients=_(
                "Managers of the reviewing cluster, the coordinator, accepted "
                "participants (catalogue, only the fields chosen)."
            ),
        ),
        Activity(
            name=_("ClusterXchange exchanges, grants and payments"),
            purpose=_("Prepare and sign the exchange, check the evidence, pay the grant."),
            data=_("Plan, signatures, closing report, travel evidence, grant and payment."),
            subjects=_("Visitors and hosts."),
            legal_basis=_(
                "Contract (financial agreement); legal obligation (EU programme "
                "audit and accounting)."
            ),
            retention=_(
                "Grant and payment records: as long as the EU programme's audit rules "
                "require, without the person once erased."
            ),
            recipients=_(
                "Visiting and host clusters, the coordinator, European Commission auditors."
            ),
        ),
        Activity(
            name=_("Emails (outbox)"),
            purpose=_("Send the portal's emails once, retry failures, honour unsubscriptions."),
            data=_("Recipient's email, language, content of the message."),
            subjects=_("Everyone the portal writes to."),
            legal_basis=_("As the activity that the email serves."),
            retention=_("Content cleared %(days)s after sending.")
            % {"days": _days(s.PRIVACY_RETENTION_OUTBOX_BODIES_DAYS)},
            recipients=_("The email provider (processor)."),
        ),
        Activity(
            name=_("Member imports"),
            purpose=_("Load a cluster's member list from a spreadsheet."),
            data=_("Organisations and contacts in the uploaded file."),
            subjects=_("Contacts at member organisations."),
            legal_basis=_("Legitimate interest of the clusters."),
            retention=_("Files never confirmed: deleted after %(days)s.")
            % {"days": _days(s.PRIVACY_RETENTION_IMPORTS_DAYS)},
            recipients=_("The cluster manager who imports."),
        ),
        Activity(
            name=_("Personal data exports"),
            purpose=_("Give people a copy of their data (right of access and portability)."),
            data=_("Everything listed above about the person."),
            subjects=_("Users who ask."),
            legal_basis=_("Legal obligation (GDPR articles 15 and 20)."),
            retention=_("File and link expire after %(days)s.")
            % {"days": _days(s.PRIVACY_DATA_EXPORT_DAYS)},
            recipients=_("The person only."),
        ),
        Activity(
            name=_("Audit trail"),
            purpose=_("Know who exported, downloaded or changed personal data and money records."),
            data=_("Who (account), when, what kind of record and key, IP address."),
            subjects=_("Portal staff and users."),
            legal_basis=_("Legal obligation (security of processing, GDPR article 32)."),
            retention=_("%(days)s.") % {"days": _days(s.AUDIT_RETENTION_DAYS)},
            recipients=_("Portal administrators."),
        ),
    ]
