"""ClusterXchange: impact follow-up surveys after exchanges and trainings."""
