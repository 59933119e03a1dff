"""Who may take part in ClusterXchange, and as what: programme data read by the
eligibility rules (exchange/applications/eligibility.py), kept apart from the code that checks it.

Source: the ClusterXchange rules of the European Commission's scheme (the "Guide for
applicants", section on eligible participants), as used by the partnership's calls:

- Visitors and hosts are cluster organisations, business network / business-support
  organisations, and their members (SMEs and start-ups first; research and technology
  organisations as members of a cluster). Large companies, universities and public bodies
  may host, not visit.
- Cluster organisations and business-support organisations take part in their own name:
  they do not need to be a member of a cluster of the partnership to visit (a member
  SME does). Membership is what makes an SME or an RTO eligible; for a cluster
  organisation it is the organisation itself.
- A non-member SME may only host, with an exception approved by the programme.

An administrator changing these rules changes this module (reviewed code), not a form:
they are the programme's contract with the European Commission."""

from members.models import Organisation

T = Organisation.Type

# Organisation types that may visit another organisation.
VISITOR_TYPES = frozenset({T.SME, T.STARTUP, T.RTO, T.SUPPORT, T.CLUSTER})
# Organisation types that may host a visitor.
HOST_TYPES = VISITOR_TYPES | {T.LARGE, T.UNIVERSITY, T.PUBLIC}
# Types that take part in their own name: no membership of a partnership cluster needed.
MEMBERSHIP_NOT_REQUIRED = frozenset({T.CLUSTER, T.SUPPORT})

SOURCE = "ClusterXchange rules (European Commission), Guide for applicants: eligible participants"
