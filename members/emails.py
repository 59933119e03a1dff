from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation


def invitation_email_send(*, invitation: Invitation) -> bool:
    """Sends the invitation in the language the manager chose for the invitee. Only a
    pending invitation is sent, so a retry after success sends nothing new."""
    if invitation.status != Invitation.Status.PENDING:
        return False
    url = settings.SITE_URL + reverse("members:invitation_accept", args=[invitation.token])
    with translation.override(invitation.language):
        context = {"invitation": invitation, "url": url}
        subject = render_to_string("members/email/invitation_subject.txt", context).strip()
        text = render_to_string("members/email/invitation.txt", context)
        html = render_to_string("members/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
