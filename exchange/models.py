"""Every model of ClusterXchange, for Django's app registry (app label "exchange", one
migration history in exchange/migrations). Each model lives with the part it belongs to:

- applications/models.py: programme data (Programme, EligibleCountry), calls,
  applications, their documents and history, match proposals;
- placements/models.py: the exchange from match to payment (plan, documents, signatures,
  closing report, evidence, host confirmation, payment, bank details);
- external/models.py: parties of other partnerships (private links);
- impact/models.py: the impact follow-up surveys.

The migrations refer to exchange.models._document_path, exchange.models._evidence_path and
exchange.models.default_required_evidence: they stay importable here."""

from .applications.models import (  # noqa: F401
    ActivityType,
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Call,
    EligibleCountry,
    MatchProposal,
    Programme,
    _document_path,
    default_required_evidence,
)
from .external.models import ExternalParty  # noqa: F401
from .impact.models import ImpactSurvey  # noqa: F401
from .placements.models import (  # noqa: F401
    BankDetails,
    ClosingReport,
    Evidence,
    Exchange,
    ExchangeDocument,
    ExchangePlan,
    ExchangeTransition,
    HostConfirmation,
    Payment,
    Signature,
    _evidence_path,
)
