// The desk's transition forms (templates/django_fsm/fsm_admin_transition_form.html): a canned reply
// fills the message (and a reject reply its reason); a new reject form starts on the reason the
// appeal's checks suggest.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.transition-form");
  if (!form) return;
  const reason = form.querySelector("#id_reason");
  if (reason && form.dataset.suggestedReason) reason.value = form.dataset.suggestedReason;
  const canned = form.querySelector("#canned-reply");
  const message = form.querySelector("#id_message");
  if (!canned || !message) return;
  canned.addEventListener("change", () => {
    const option = canned.selectedOptions[0];
    if (!option.value) return;
    message.value = option.dataset.text;
    if (reason && option.dataset.reason) reason.value = option.dataset.reason;
  });
});
// The appeal page: approving an appeal that is not low risk asks first (appeals.desk.panels.risk_panel).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[name=_fsm_transition_to]");
  if (!button || !["approve", "confirm_approval"].includes(button.value)) return;
  const question = document.querySelector("[data-confirm-approve]")?.dataset.confirmApprove;
  if (question && !window.confirm(question)) event.preventDefault();
});
