/* The box office (templates/web/box_office/): a clerk with a queue, a USB scanner or a camera.
 *
 *  - The card number field has focus when the page opens and after every answer (htmx swaps the whole
 *    working area), its old text selected, so the next card typed or scanned replaces it.
 *  - A scanner types the number and then Enter (the form submits) or Tab: a Tab after a number in the
 *    field submits too, instead of moving on.
 *  - Enter in the empty number field admits the card just accepted (the Admit form's button), so that
 *    scanning and admitting needs no pointer at all.
 *  - The −/+ buttons of the child-ticket counter, within 0 and the card's number.
 */
(function () {
  "use strict";

  function numberField(root) {
    return (root || document).querySelector("input[data-box-office-number]");
  }

  function focusNumber() {
    var input = numberField(document);
    if (!input) return;
    input.focus({ preventScroll: true });
    input.select();
    var verdict = document.querySelector(".verdict");
    (verdict || input).scrollIntoView({ block: "nearest" });
  }

  function submit(form) {
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function wireNumber(input) {
    if (!input || input.dataset.boxOfficeWired) return;
    input.dataset.boxOfficeWired = "1";
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !input.value.trim()) {
        var admit = document.querySelector("form[data-admit-form]");
        event.preventDefault();
        if (admit) submit(admit);
      } else if (event.key === "Tab" && !event.shiftKey && input.value.trim().length >= 10) {
        event.preventDefault();
        submit(input.form);
      }
    });
  }

  function wireCounters(root) {
    var buttons = (root || document).querySelectorAll("button[data-step]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      if (button.dataset.wired) continue;
      button.dataset.wired = "1";
      button.hidden = false;
      button.addEventListener("click", function (event) {
        var step = parseInt(event.currentTarget.getAttribute("data-step"), 10);
        var target = document.getElementById(event.currentTarget.getAttribute("aria-controls"));
        var max = parseInt(target.getAttribute("max") || "0", 10);
        var value = (parseInt(target.value, 10) || 0) + step;
        target.value = String(Math.max(0, Math.min(max, value)));
        target.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
  }

  function wireAll(root) {
    wireNumber(numberField(root));
    wireCounters(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireAll(document);
    focusNumber();
  });
  document.addEventListener("htmx:load", function (event) { wireAll(event.target); });
  document.addEventListener("htmx:afterSettle", function () { focusNumber(); });
})();
