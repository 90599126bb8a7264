"""The only code that changes appeals; see workflow.py for the locking rules."""

from .audit import audit_record_verdict, audit_sample_day
from .evidence import evidence_process, evidence_purge_batch, evidence_store
from .workflow import (
    ApprovalResult,
    appeal_approve,
    appeal_claim,
    appeal_due_at,
    appeal_escalate,
    appeal_reject,
    appeal_request_info,
    appeal_resubmit,
    appeal_submit,
    appeal_take_next,
    appeal_withdraw,
)

__all__ = [
    "audit_record_verdict",
    "audit_sample_day",
    "ApprovalResult",
    "appeal_approve",
    "appeal_claim",
    "appeal_due_at",
    "appeal_escalate",
    "appeal_reject",
    "appeal_request_info",
    "appeal_resubmit",
    "appeal_submit",
    "appeal_take_next",
    "appeal_withdraw",
    "evidence_process",
    "evidence_purge_batch",
    "evidence_store",
]
