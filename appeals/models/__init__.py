"""The appeals app's models, one module per concern; every model is importable from here."""

from .access import EvidenceAccess
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
from .canned import CannedReply
from .clock import DeadlineExtension
from .evidence import REQUIRED_REFUND_EVIDENCE, Evidence, EvidenceHashBand
from .notification import Notification
from .review import Review, ReviewEvent, ReviewKind, ReviewState
from .staged import StagedUpload
from .summary import DailySummary

__all__ = [
    "CLOSED_STATES", "DECIDED_STATES", "OPEN_STATES", "REQUIRED_REFUND_EVIDENCE", "Appeal", "AppealEvent",
    "AuditSample", "AuditVerdict", "CannedReply", "DailySummary", "DeadlineExtension", "Escalation", "Evidence",
    "EvidenceAccess", "EvidenceHashBand", "Notification", "PauseReason", "RejectReason", "Review", "ReviewEvent",
    "ReviewKind", "ReviewState", "StagedUpload", "State", "new_reference",
]
