// A form that is on its way cannot be sent again: a second tap on 提交申诉 (or any submit button)
// does nothing, and the button says it is working. The server also treats a quick repeat as the
// same filing; this spares the customer the wait and the second upload.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.sending) {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "1";
  // Disabled after the browser has read the form: a disabled submitter would drop its own value.
  setTimeout(() => {
    for (const button of form.querySelectorAll("button[type=submit]")) {
      button.disabled = true;
      if (button.dataset.sendingLabel) {
        button.dataset.label = button.textContent;
        button.textContent = button.dataset.sendingLabel;
      }
    }
  });
});
// Back to a page from the history cache: its forms can be sent again.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-sending]")) {
    delete form.dataset.sending;
    for (const button of form.querySelectorAll("button[type=submit]")) {
      button.disabled = false;
      if (button.dataset.label) button.textContent = button.dataset.label;
    }
  }
});
// File pickers (templates/widgets/file_picker.html) say which files were chosen.
document.addEventListener("change", (event) => {
  const input = event.target;
  const name = input.closest(".picker")?.querySelector(".picker-name");
  if (!name) return;
  name.textContent = [...input.files].map((file) => file.name).join("、") || name.dataset.none;
});
