from notifications import kinds

# Decisions on an application are essential: they cannot be unsubscribed.
DECISION = kinds.register("exchange.decision", "exchange/email/decision")
