/* Card numbers in the page: the same check as kaikukanta/cards/identifiers.py, so that a typo is
 * flagged as it is typed (or as a scanner types it), before any request and without a connection.
 * tests/browser/test_card_number_js.py holds this copy to the Python one, number by number.
 *
 * An input with data-card-number="new" (a number for a new card: every fault is flagged) or
 * data-card-number="any" (a number to look up: imported numbers of other shapes pass) gets:
 *  - a live message in the element named by its data-card-number-feedback attribute (by default the
 *    one whose id is the input's followed by "-check", as web/_card_number_tools.html writes it), in the page's
 *    language (the messages come from the registry's own errors, see the card_number_messages tag);
 *  - aria-invalid while the number is complete and wrong;
 *  - a submit held back while the number is wrong, the message read out, and the field's text
 *    selected so that the next scan or keystroke replaces it.
 */
(function () {
  "use strict";
  var ALPHABET = "23456789ABCDEFGHJKMNPQRTUVWXY";
  var LENGTH = 10;

  function normalize(raw) {
    return (raw || "").replace(/[\s\-\x00-\x1f\x7f]+/g, "").toUpperCase();
  }
  function display(number) {
    return hasNativeShape(number) ? number.slice(0, 5) + "-" + number.slice(5) : number;
  }
  function hasNativeShape(number) {
    if (number.length !== LENGTH) return false;
    for (var i = 0; i < number.length; i++) {
      if (ALPHABET.indexOf(number.charAt(i)) < 0) return false;
    }
    return true;
  }
  function isValid(number) {
    if (!hasNativeShape(number)) return false;
    var sum = 0;
    for (var i = 0; i < number.length; i++) sum += (i + 1) * ALPHABET.indexOf(number.charAt(i));
    return sum % ALPHABET.length === 0;
  }
  function invalidCharacters(number) {
    var seen = [];
    for (var i = 0; i < number.length; i++) {
      var c = number.charAt(i);
      if (ALPHABET.indexOf(c) < 0 && seen.indexOf(c) < 0) seen.push(c);
    }
    return seen;
  }

  /* What is wrong with a typed number, as the server would say it, or null.
   * complete: the person has finished (a submit, Enter, leaving the field); until then a short
   * number is not yet wrong. */
  function problem(raw, mode, complete) {
    var number = normalize(raw);
    if (!number) return null;
    var wrong = invalidCharacters(number);
    if (mode === "new") {
      if (wrong.length) return { code: "identifier_invalid_characters", identifier: number, characters: wrong.join(", ") };
      if (number.length > LENGTH || (complete && number.length < LENGTH)) return { code: "identifier_malformed" };
    } else if (wrong.length && number.length === LENGTH) {
      return { code: "identifier_invalid_characters", identifier: number, characters: wrong.join(", ") };
    }
    if (hasNativeShape(number) && !isValid(number)) return { code: "identifier_check_failed", identifier: display(number) };
    return null;
  }

  var messages = null;
  function message(found) {
    if (messages === null) {
      var data = document.getElementById("card-number-messages");
      messages = data ? JSON.parse(data.textContent) : {};
    }
    var text = messages[found.code] || found.code;
    return text.replace(/%\((\w+)\)s/g, function (_, name) {
      return found[name] !== undefined ? found[name] : "";
    });
  }

  function feedbackOf(input) {
    return document.getElementById(input.getAttribute("data-card-number-feedback") || input.id + "-check");
  }

  /* Shows the problem (or clears it); returns true when the number may be sent. A field that htmx
   * has swapped out (its blur comes after the swap) says nothing: its line's id is now the new,
   * empty field's. */
  function judge(input, complete) {
    if (!input.isConnected) return true;
    var mode = input.getAttribute("data-card-number") || "any";
    var found = problem(input.value, mode, complete);
    var feedback = feedbackOf(input);
    var number = normalize(input.value);
    if (found) {
      input.setAttribute("aria-invalid", "true");
      if (feedback) {
        feedback.textContent = message(found);
        feedback.className = "number-check wrong";
      }
      return false;
    }
    input.removeAttribute("aria-invalid");
    if (feedback) {
      var ok = mode === "new" ? isValid(number) : hasNativeShape(number) && isValid(number);
      feedback.textContent = ok ? message({ code: "identifier_ok" }) : "";
      feedback.className = ok ? "number-check ok" : "number-check";
    }
    return true;
  }

  function wire(input) {
    if (input.dataset.cardNumberWired) return;
    input.dataset.cardNumberWired = "1";
    if (!input.value) judge(input, false);  // a field a swap emptied: no line about the last number
    input.addEventListener("input", function () { judge(input, false); });
    input.addEventListener("blur", function () { if (input.value) judge(input, true); });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!judge(input, true)) {
          event.preventDefault();
          event.stopImmediatePropagation();
          input.focus();
          input.select();
        }
      }, true);
    }
  }

  function wireAll(root) {
    var inputs = (root || document).querySelectorAll("input[data-card-number]");
    for (var i = 0; i < inputs.length; i++) wire(inputs[i]);
  }

  window.KaikukantaCardNumber = {
    normalize: normalize, display: display, isValid: isValid, hasNativeShape: hasNativeShape,
    problem: problem, judge: judge, wireAll: wireAll
  };
  document.addEventListener("DOMContentLoaded", function () { wireAll(document); });
  // Inputs that htmx swaps in are wired too.
  document.addEventListener("htmx:load", function (event) { wireAll(event.target); });
})();
