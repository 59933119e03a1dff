"""ClusterXchange: parties of other partnerships (hosts or visitors without an account,
acting through a private link)."""
