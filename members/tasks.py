from celery import shared_task

from .models import Invitation


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def invitation_send(invitation_id: int) -> bool:
    from .emails import invitation_email_send

    invitation = Invitation.objects.select_related("organisation", "cluster", "invited_by").get(
        pk=invitation_id
    )
    return invitation_email_send(invitation=invitation)
