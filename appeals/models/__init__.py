"""The appeals app's models, one module per concern; every model is importable from here."""

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
from .review import Review, ReviewEvent, ReviewKind, ReviewState

__all__ = [
    "CLOSED_STATES", "DECIDED_STATES", "OPEN_STATES", "REQUIRED_REFUND_EVIDENCE", "Appeal", "AppealEvent",
    "AuditSample", "AuditVerdict", "Escalation", "Evidence", "EvidenceHashBand", "Notification", "RejectReason",
    "Review", "ReviewEvent", "ReviewKind", "ReviewState", "State", "new_reference",
]
