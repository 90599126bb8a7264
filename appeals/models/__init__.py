"""The appeals app's models, one module per concern; every model is importable from here."""

from .access import EvidenceAccess
from .appeal import (
    CLOSED_STATES,
    DECIDED_STATES,
    OPEN_STATES,
    Appeal,
    AppealEvent,
    Escalation,
    RejectReason,
    State,
    new_reference,
)
from .audit import AuditSample, AuditVerdict
from .evidence import REQUIRED_REFUND_EVIDENCE, Evidence, EvidenceHashBand
from .notification import Notification

__all__ = [
    "CLOSED_STATES", "DECIDED_STATES", "OPEN_STATES", "REQUIRED_REFUND_EVIDENCE", "Appeal", "AppealEvent",
    "AuditSample", "AuditVerdict", "Escalation", "Evidence", "EvidenceAccess", "EvidenceHashBand", "Notification",
    "RejectReason", "State", "new_reference",
]
