"""The appeals app's models, one module per concern; every model is importable from here."""

from .appeal import (
    CLOSED_STATES,
    DECIDED_STATES,
    OPEN_STATES,
    Appeal,
    AppealEvent,
    Escalation,
    PauseReason,
    RejectReason,
    State,
    new_reference,
)
from .audit import AuditSample, AuditVerdict
from .clock import DeadlineExtension
from .evidence import REQUIRED_REFUND_EVIDENCE, Evidence, EvidenceHashBand
from .notification import Notification

__all__ = [
    "CLOSED_STATES", "DECIDED_STATES", "OPEN_STATES", "REQUIRED_REFUND_EVIDENCE", "Appeal", "AppealEvent",
    "AuditSample", "AuditVerdict", "DeadlineExtension", "Escalation", "Evidence", "EvidenceHashBand", "Notification",
    "PauseReason", "RejectReason", "State", "new_reference",
]
