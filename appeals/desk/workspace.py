"""The appeal page as one screen (templates/admin/appeals/appeal/change_form.html): the screenshots
large with their OCR boxes, the lines the checks relied on marked, the decision bar's keys and the
forms of its actions that need words. static/js/desk.js switches, zooms, answers the keys and opens
those forms in a panel; without it every link and button still opens a page."""

from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Appeal, Evidence
from ..transitions import STAFF_ACTIONS, Transition

# One key per decision-bar button (never two buttons of one key in the same state).
SHORTCUTS = {
    Transition.CLAIM: "c",
    Transition.REQUEST_INFO: "i",
    Transition.ESCALATE: "e",
    Transition.APPROVE: "a",
    Transition.PROPOSE_APPROVAL: "a",
    Transition.CONFIRM_APPROVAL: "a",
    Transition.RETURN_PROPOSAL: "b",
    Transition.REJECT: "r",
    Transition.REJECT_ESCALATED: "r",
}


def ocr_boxes(evidence: Evidence, statuses: dict[int, str] | None = None, highlight: int = -1) -> list[dict]:
    """The boxes of the text read on a screenshot, as SVG polygon points in the image's pixels;
    `statuses` maps a line to the status of the check that relied on it, `highlight` is one line."""
    statuses = statuses or {}
    return [{"line": index, "points": " ".join(f"{x},{y}" for x, y in item["box"]), "text": item["text"],
             "status": statuses.get(index, ""), "highlight": index == highlight}
            for index, item in enumerate(evidence.ocr_lines)]


def _relied_on(appeal: Appeal) -> dict[int, dict[int, str]]:
    """evidence id → {line → status of the check that relied on it}; a ✗ wins over a ✓ on one line."""
    lines: dict[int, dict[int, str]] = {}
    for check in appeal.evidence_checks or []:
        if check.get("evidence_id") and check.get("line") is not None:
            marked = lines.setdefault(check["evidence_id"], {})
            if marked.get(check["line"]) != "contradicts":
                marked[check["line"]] = check["status"]
    return lines


def screenshots(appeal: Appeal) -> list[dict]:
    """Every screenshot of the appeal (prefetched), the ready ones with their image and boxes."""
    relied = _relied_on(appeal)
    shots = []
    for item in appeal.evidence.all():
        shot = {"pk": item.pk, "kind": item.get_kind_display(), "ready": item.status == Evidence.Status.READY,
                "reason": item.rejection_reason or item.get_status_display()}
        if shot["ready"]:
            shot.update(image_url=reverse("evidence-image", args=[appeal.reference, item.pk]),
                        annotated_url=reverse("admin:appeals_evidence_annotated", args=[item.pk]),
                        width=item.width or 390, height=item.height or 844,
                        boxes=ocr_boxes(item, relied.get(item.pk)))
        shots.append(shot)
    return shots


def viewer_panel(appeal: Appeal) -> str:
    """The evidence side of the workspace: a switcher by kind, zoom, one screenshot at a time."""
    return render_to_string("admin/appeals/appeal/_viewer.html", {"shots": screenshots(appeal)})


def decision_buttons(blocks, appeal: Appeal, forms: dict) -> list[dict]:
    """django_fsm's available transitions (a generator of blocks) as the bar's buttons with their keys,
    in the order of STAFF_ACTIONS; a transition with a form (AppealAdmin.fsm_forms) brings it unbound,
    with ids of its own (two forms share the page), and the URL it posts to."""
    transitions = sorted((transition for block in blocks for transition in block.available_transitions),
                         key=lambda transition: STAFF_ACTIONS.index(transition.name))
    buttons = []
    for transition in transitions:
        button = {"name": transition.name, "label": transition.label, "help_text": transition.help_text,
                  "key": SHORTCUTS.get(transition.name, "")}
        if transition.name in forms:
            button.update(form=forms[transition.name](auto_id=f"id_{transition.name}_%s"),
                          form_url=reverse("admin:appeals_appeal_transition",
                                           kwargs={"object_id": appeal.pk, "transition_name": transition.name}))
        buttons.append(button)
    return buttons


class ReadOncePerPage:
    """Admin mixin: an appeal page reads its appeal once. django_fsm's change_view reads it for the
    decision bar, then the admin's view reads it again (the same joins and screenshots); a POST (a
    transition) always reads it afresh."""

    def get_object(self, request, object_id, from_field=None):
        if request.method != "GET":
            return super().get_object(request, object_id, from_field)
        read = request.__dict__.setdefault("_objects_read", {})
        key = (self.model, object_id, from_field)
        if key not in read:
            read[key] = super().get_object(request, object_id, from_field)
        return read[key]
