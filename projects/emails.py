"""Email kinds of the programme, registered with the outbox when the app is ready."""

from notifications import kinds

# The monthly progress report, sent as a link (the file itself stays behind a login).
REPORT_READY = kinds.register("projects.report_ready", "projects/email/report_ready", "reports")
