// Behaviours that templates ask for with data attributes, so that no inline handler is
// needed and the Content-Security-Policy can forbid them:
//   data-confirm="Question?"  on a form (asked on submit) or a submit button (on click)
//   data-autosubmit            on a select: submits its form when it changes
//   data-select-on-focus       on an input: selects its text when focused
//   data-copy-target="#id"     on a button: copies the target field's value
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var copy = event.target.closest("[data-copy-target]");
    if (copy) {
      var field = document.querySelector(copy.dataset.copyTarget);
      if (field && navigator.clipboard) {
        navigator.clipboard.writeText(field.value);
      }
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
      event.target.select();
    }
  });
})();
