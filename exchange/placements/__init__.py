"""ClusterXchange, part 2: an exchange from match to payment (plan, grant, documents and
signatures, outcome, closing report, payment, PDFs, reminders)."""
