from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"

    def ready(self):
        from django.db.models.signals import m2m_changed

        from clamtex.core.versions import renew_on_change
        from members.models import Cluster

        from . import digest_sections, emails  # noqa: F401  (registers email kinds, digest)
        from .filters import event_filter_choices_invalidate
        from .models import Event

        renew_on_change(event_filter_choices_invalidate, Event, Cluster, uid="event-filter-choices")
        m2m_changed.connect(
            event_filter_choices_invalidate,
            sender=Event.organisers.through,
            dispatch_uid="event-filter-choices:organisers",
        )
