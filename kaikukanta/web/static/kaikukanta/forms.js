/* Staff forms: the error summary and the wellbeing questionnaire.

   - A page (or a part htmx swaps in) that shows an error summary moves the focus to it, so a screen
     reader reads the list of faults first; each of its links moves the focus to its field, the
     field's label or legend scrolled into view (GOV.UK / Suomi.fi pattern).
   - The questionnaire's "clear answers" button (shown only here: without JavaScript each question's
     own "no answer" does it) sets every question back to "no answer" in place.
   - The questionnaire, folded on a phone, is opened on a wide screen. */
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = root && root.querySelector ? root.querySelector("[data-error-summary]") : null;
    if (summary) {
      summary.focus();
    }
  }

  function openOnWideScreens(root) {
    if (!window.matchMedia || !window.matchMedia("(min-width: 700px)").matches) {
      return;
    }
    root.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      details.open = true;
    });
  }

  function showClearButtons(root) {
    root.querySelectorAll("[data-clear-answers]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showClearButtons(document);
    openOnWideScreens(document);
    focusSummary(document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    showClearButtons(event.detail.target);
    openOnWideScreens(event.detail.target);
    focusSummary(event.detail.target);
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var link = target.closest("[data-error-summary] a[href^='#']");
    if (link) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      var details = field.closest("details");
      if (details) {
        details.open = true;
      }
      var fieldset = field.closest("fieldset");
      var legend = fieldset ? fieldset.querySelector("legend") : null;
      var label = document.querySelector("label[for='" + field.id + "']");
      (legend || label || field).scrollIntoView();
      field.focus({ preventScroll: true });
      return;
    }
    var clear = target.closest("[data-clear-answers]");
    if (clear) {
      var scope = clear.closest("[data-questionnaire]");
      if (!scope) {
        return;
      }
      event.preventDefault();
      scope.querySelectorAll("input[type='radio'][value='']").forEach(function (radio) {
        radio.checked = true;
      });
      var status = scope.querySelector("[data-cleared-status]");
      if (status) {
        status.textContent = status.getAttribute("data-cleared-status");
      }
    }
  });
})();
