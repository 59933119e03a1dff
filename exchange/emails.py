from notifications import kinds

# Decisions on an application are essential: they cannot be unsubscribed.
DECISION = kinds.register("exchange.decision", "exchange/email/decision")

# Reminders of the exchange lifecycle (part 2), sent through the outbox once per recipient
# and occasion; people may opt out of the "reminders" category.
SIGNATURE = kinds.register("exchange.signature", "exchange/email/signature", "reminders")
STARTING = kinds.register("exchange.starting", "exchange/email/starting", "reminders")
REPORT_DUE = kinds.register("exchange.report_due", "exchange/email/report_due", "reminders")
PAYMENT_DUE = kinds.register("exchange.payment_due", "exchange/email/payment_due", "reminders")

# The visitor's cluster validated or returned the closing report: essential.
REPORT_DECISION = kinds.register("exchange.report_decision", "exchange/email/report_decision")

# Each application submitted to a cluster, to its managers (besides the daily digest);
# managers may opt out of the "submissions" category.
SUBMITTED = kinds.register("exchange.submitted", "exchange/email/submitted", "submissions")

# The visitor's cluster recorded that the exchange did not take place or was cut short:
# essential, to the four parties.
OUTCOME = kinds.register("exchange.outcome", "exchange/email/outcome")

# --- Parties of other partnerships (exchange/external.py): essential, they carry the link ---
EXTERNAL_INVITATION = kinds.register(
    "exchange.external_invitation", "exchange/email/external_invitation"
)
EXTERNAL_CODE = kinds.register("exchange.external_code", "exchange/email/external_code")

# --- Impact follow-up (exchange/impact.py): non-essential, one can unsubscribe ---------------
IMPACT_SURVEY = kinds.register("exchange.impact_survey", "exchange/email/impact_survey", "surveys")
IMPACT_REMINDER = kinds.register(
    "exchange.impact_reminder", "exchange/email/impact_reminder", "surveys"
)
