// The desk's transition forms (templates/admin/appeals/appeal/_transition_form.html, on the form page
// and in the workspace's panels): a canned reply fills the message (and a reject reply its reason); a
// new reject form starts on the reason the appeal's checks suggest.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.transition-form").forEach((form) => {
    const reason = form.elements.reason;
    if (reason && form.dataset.suggestedReason) reason.value = form.dataset.suggestedReason;
    const canned = form.querySelector(".canned-reply");
    const message = form.elements.message;
    if (!canned || !message) return;
    canned.addEventListener("change", () => {
      const option = canned.selectedOptions[0];
      if (!option.value) return;
      message.value = option.dataset.text;
      if (reason && option.dataset.reason) reason.value = option.dataset.reason;
    });
  });
});
// The decision bar's actions that need words open their form in a panel beside the screenshots, the
// cursor in its text; Esc or Cancel closes it and gives the focus back to the button. Without script
// the button posts the admin's form, which opens the form page.
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector(".decision-bar");
  if (!bar) return;
  let opener = null;
  const close = () => {
    const open = document.querySelector("dialog.decision-panel[open]");
    if (!open) return false;
    open.close();
    opener?.setAttribute("aria-expanded", "false");
    opener?.focus();
    opener = null;
    return true;
  };
  bar.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-panel]");
    const panel = button && document.getElementById(button.dataset.panel);
    if (!panel) return;
    event.preventDefault();
    close();
    panel.show();
    button.setAttribute("aria-expanded", "true");
    opener = button;
    panel.querySelector("textarea")?.focus();
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-close-panel]")) close();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && close()) event.preventDefault();
  });
});
// The appeal page: approving an appeal that is not low risk asks first (appeals.desk.panels.risk_panel).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[name=_fsm_transition_to]");
  if (!button || !["approve", "confirm_approval"].includes(button.value)) return;
  const question = document.querySelector("[data-confirm-approve]")?.dataset.confirmApprove;
  if (question && !window.confirm(question)) event.preventDefault();
});
// The appeal page's workspace (templates/admin/appeals/appeal/change_form.html): one screenshot at a
// time with zoom, a check's link shows the line it relied on in place, and keys take the bar's actions.
document.addEventListener("DOMContentLoaded", () => {
  const workspace = document.querySelector(".workspace");
  if (!workspace) return;
  // The workspace fills the first screen below the header, the messages and the decision bar.
  const fit = () => document.documentElement.style.setProperty(
    "--ws-top", `${Math.ceil(workspace.getBoundingClientRect().top + window.scrollY)}px`);
  fit();
  window.addEventListener("resize", fit);

  const viewer = workspace.querySelector("[data-viewer]");
  const shots = viewer ? [...viewer.querySelectorAll(".shot")] : [];
  const tabs = viewer ? [...viewer.querySelectorAll(".shot-tab")] : [];
  const stage = viewer?.querySelector(".shot-stage");
  const ZOOMS = [1, 1.5, 2, 3, 4];
  let current = 0;
  let zoom = 0;

  const show = (index) => {
    if (!shots.length) return;
    current = (index + shots.length) % shots.length;
    shots.forEach((shot, i) => shot.classList.toggle("current", i === current));
    tabs.forEach((tab, i) => (i === current ? tab.setAttribute("aria-current", "true")
      : tab.removeAttribute("aria-current")));
    workspace.querySelectorAll(".ocr-highlight, .check-selected").forEach(
      (marked) => marked.classList.remove("ocr-highlight", "check-selected"));
    stage.scrollTo(0, 0);
  };
  // Zooming keeps the point at the middle of the frame where it was.
  const setZoom = (step) => {
    if (!stage) return;
    const x = (stage.scrollLeft + stage.clientWidth / 2) / stage.scrollWidth;
    const y = (stage.scrollTop + stage.clientHeight / 2) / stage.scrollHeight;
    zoom = step === 0 ? 0 : Math.min(Math.max(zoom + step, 0), ZOOMS.length - 1);
    stage.style.setProperty("--zoom", ZOOMS[zoom]);
    viewer.querySelector(".zoom-level").textContent = `${ZOOMS[zoom] * 100}%`;
    stage.scrollTo(x * stage.scrollWidth - stage.clientWidth / 2, y * stage.scrollHeight - stage.clientHeight / 2);
  };
  const shotIndex = (pk) => shots.findIndex((shot) => shot.dataset.shot === pk);
  // A check's line: its screenshot shown, the box marked and brought to the middle of the frame.
  const highlight = (pk, line) => {
    const index = shotIndex(pk);
    if (index < 0) return false;
    show(index);
    const box = shots[index].querySelector(`polygon[data-line="${line}"]`);
    if (!box) return true;
    box.classList.add("ocr-highlight");
    const at = box.getBoundingClientRect();
    const frame = stage.getBoundingClientRect();
    stage.scrollBy(at.left + at.width / 2 - frame.left - frame.width / 2,
      at.top + at.height / 2 - frame.top - frame.height / 2);
    return true;
  };

  workspace.addEventListener("click", (event) => {
    const control = event.target.closest("[data-step], [data-zoom], a[data-shot]");
    if (!control) return;
    if (control.dataset.step) show(current + Number(control.dataset.step));
    else if (control.dataset.zoom) setZoom(Number(control.dataset.zoom));
    else if (control.dataset.line !== undefined) {
      if (!highlight(control.dataset.shot, control.dataset.line)) return;
      control.closest("tr")?.classList.add("check-selected");
    } else if (shotIndex(control.dataset.shot) >= 0) show(shotIndex(control.dataset.shot));
    event.preventDefault();
  });

  const KEYS = { j: 1, ArrowRight: 1, k: -1, ArrowLeft: -1 };
  const ZOOM_KEYS = { "+": 1, "=": 1, "-": -1, 0: 0 };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.target.closest?.("input, textarea, select, [contenteditable]")) return;  // typing
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key in KEYS && shots.length) show(current + KEYS[key]);
    else if (key in ZOOM_KEYS && stage) setZoom(ZOOM_KEYS[key]);
    else {
      const action = document.querySelector(`.decision-bar [data-key="${CSS.escape(key)}"]`);
      if (!action) return;
      action.click();  // an approval still asks first (the click handler above)
    }
    event.preventDefault();
  });
});
