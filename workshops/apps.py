from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from members.models import Cluster

        from . import digest_sections, emails  # noqa: F401  (registers email kinds, digest)
        from .filters import event_filter_choices_invalidate
        from .models import Event

        for model in (Event, Cluster):
            for signal in (post_save, post_delete):
                signal.connect(
                    event_filter_choices_invalidate,
                    sender=model,
                    dispatch_uid=f"event-filter-choices:{model._meta.label}",
                )
        m2m_changed.connect(
            event_filter_choices_invalidate,
            sender=Event.organisers.through,
            dispatch_uid="event-filter-choices:organisers",
        )
