from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Programme")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import emails  # noqa: F401  (registers the email kinds)
        from .selectors import FIGURE_SOURCES, figures_invalidate

        # A write to anything the dashboards' figures are computed from starts a new version
        # of the cached figures (selectors.dashboard_figures).
        for label in FIGURE_SOURCES:
            model = apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(figures_invalidate, sender=model, dispatch_uid=f"figures:{label}")
        m2m_changed.connect(
            figures_invalidate,
            sender=apps.get_model("workshops.Event").organisers.through,
            dispatch_uid="figures:event-organisers",
        )
