from notifications import kinds

# Essential (no category): the person asked for it; it carries the download link.
DATA_EXPORT_READY = kinds.register("privacy.data_export", "privacy/email/data_export")
