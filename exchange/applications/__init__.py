"""ClusterXchange, part 1: calls, applications, eligibility, review and matching."""
