"""Risk of an appeal: the refund rules (re-run now that later purchases are known), the
account's repayment record, and the reuse of an evidence image by another customer."""

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import risk
from accounts.models import RiskLevel

from .evidence.crosscheck import CHECK_LABELS, CONTRADICTS, value_text
from .evidence.images import hash_bands
from .models import Appeal, Evidence, EvidenceHashBand

APPEAL_RULE_TEXTS = {
    **risk.RULE_TEXTS,
    "evidence_reused": (_("Screenshot already used by another customer"),
                        _("The %(kind)s matches a screenshot in appeal %(other)s of another customer "
                          "(%(distance)s of 256 bits differ)."),
                        _("One of your screenshots matches one sent with another customer's appeal.")),
    # The item-mismatch signal (accounts.risk.item_mismatch compares the returned item with the order)
    # read from the order screenshot: it shows another item than the one ordered.
    "evidence_item_mismatch": (_("Order screenshot shows another item"),
                               _("The order screenshot's closest line reads “%(read)s”; the order is for "
                                 "%(expected)s."),
                               _("The item in your order screenshot does not look like the item ordered.")),
    "evidence_contradicts": (_("Evidence contradicts the record"),
                             _("%(check)s: the screenshot reads “%(read)s”, the record says “%(expected)s”."),
                             _("Something in your screenshots does not match our records.")),
}


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _words(lines: list) -> list[str]:
    return ["".join(line["text"].split()) for line in lines]


def _same_text(mine: Evidence, other_lines: list) -> bool:
    """When both were read, the same image also says the same thing (same app, different order: no)."""
    if not mine.ocr_lines or not other_lines:
        return True
    return _words(mine.ocr_lines) == _words(other_lines)


def evidence_reused(appeal: Appeal, screenshots=None) -> list[risk.Finding]:
    mine = [e for e in (appeal.evidence.all() if screenshots is None else screenshots) if e.phash]
    if not mine:
        return []
    sharing_a_band = Q()
    for band, value in {pair for e in mine for pair in hash_bands(e.phash)}:
        sharing_a_band |= Q(band=band, value=value)
    others = list(Evidence.objects.filter(pk__in=EvidenceHashBand.objects.filter(sharing_a_band).values("evidence_id"))
                  .exclude(appeal__customer_id=appeal.customer_id).order_by("pk")
                  .values_list("phash", "ocr_lines", "appeal__reference"))
    findings = []
    for evidence in mine:
        for phash, lines, reference in others:
            if len(phash) != len(evidence.phash):
                continue
            distance = _distance(evidence.phash, phash)
            if distance <= settings.RISK_PHASH_MAX_DISTANCE and _same_text(evidence, lines):
                findings.append(risk.Finding("evidence_reused", RiskLevel.HIGH, {
                    "kind": evidence.get_kind_display(), "other": reference, "distance": distance}))
                break
    return findings


def evidence_contradicts(appeal: Appeal) -> list[risk.Finding]:
    """A finding per ✗ check; a ✗ item check is the item-mismatch signal."""
    findings = []
    for check in appeal.evidence_checks:
        if check["status"] != CONTRADICTS:
            continue
        if check["code"] == "order_item":
            findings.append(risk.Finding("evidence_item_mismatch", RiskLevel.MEDIUM, {
                "read": check["read"] or "—", "expected": check["expected"]}))
        else:
            findings.append(risk.Finding("evidence_contradicts", RiskLevel.MEDIUM, {
                "check": check["code"], "read": check["read"], "expected": check["expected"]}))
    return findings


def assess_appeal(appeal: Appeal, evidence=None) -> list[risk.Finding]:
    """`evidence`: the screenshots to check for reuse, if not the appeal's stored ones (a new
    appeal's are not read yet, so it passes none and has no row to query)."""
    refund = appeal.freeze.refund
    findings = risk.assess_refund(refund) if refund else []
    if not refund and (overdue := risk.overdue_in_a_row(appeal.freeze.account)):
        findings.append(overdue)
    return findings + evidence_reused(appeal, evidence) + evidence_contradicts(appeal)


def level_for(appeal: Appeal, findings: list[risk.Finding]) -> str:
    """The rules' level, never below what the freeze itself says (a malicious freeze is high risk)."""
    level = risk.overall_level(findings)
    floor = {"malicious": RiskLevel.HIGH, "abnormal": RiskLevel.MEDIUM}.get(appeal.freeze.reason, RiskLevel.LOW)
    order = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]
    return max(level, floor, key=order.index)


def describe(finding: dict) -> dict:
    """The stored finding in the reader's language: a check's name and its values are kept as codes
    (the worker's language is nobody's), worded here. Older findings hold the words themselves."""
    params = finding.get("params", {})
    if finding["code"] == "evidence_contradicts":
        params = {**params, "check": str(CHECK_LABELS.get(params.get("check"), params.get("check", "")))}
    if finding["code"] in ("evidence_contradicts", "evidence_item_mismatch"):
        params |= {key: value_text(params[key]) for key in ("read", "expected") if key in params}
    return risk.describe({**finding, "params": params}, APPEAL_RULE_TEXTS)
