"""The Django admin of ClusterXchange: each part registers its own models."""

from .applications import admin as applications_admin  # noqa: F401
from .external import admin as external_admin  # noqa: F401
from .impact import admin as impact_admin  # noqa: F401
from .placements import admin as placements_admin  # noqa: F401
