/* The box office (templates/web/box_office/): a clerk with a queue, a USB scanner or a camera.
 *
 *  - The card number field has focus when the page opens and after every answer (htmx swaps the whole
 *    working area), its old text selected, so the next card typed or scanned replaces it.
 *  - A scanner types the number and then Enter (the form submits) or Tab: a Tab after a number in the
 *    field submits too, instead of moving on.
 *  - Enter in the empty number field admits the card just accepted (the Admit form's button), so that
 *    scanning and admitting needs no pointer at all.
 *  - The −/+ buttons of the child-ticket counter, within 0 and the card's number.
 *  - A number field with data-enter-moves-to (the group visit's community card): Enter, which a
 *    scanner sends after the number, moves on to the named field instead of sending the form.
 *  - An optional sound with each answer (the clerk's choice, kept on this device): one high tone for
 *    accepted or admitted, two low tones for a refusal, so the eye can stay on the holder.
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

  function wireEnterMoves(root) {
    var inputs = (root || document).querySelectorAll("input[data-enter-moves-to]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.dataset.enterWired) continue;
      input.dataset.enterWired = "1";
      input.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        var next = document.getElementById(event.currentTarget.getAttribute("data-enter-moves-to"));
        if (!next) return;
        event.preventDefault();
        next.focus();
      });
    }
  }

  function wireAll(root) {
    wireNumber(numberField(root));
    wireCounters(root);
    wireEnterMoves(root);
  }

  // --- the optional sound ---------------------------------------------------------------------------

  var SOUND = "kaikukanta.boxOffice.sound.v1";
  var audio = null;

  function soundOn() {
    try { return window.localStorage.getItem(SOUND) === "on"; } catch (e) { return false; }
  }

  function audioContext() {
    // Made on the clerk's own click (the switch), which browsers require before a page may sound.
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    return audio;
  }

  function tone(context, frequency, start, length) {
    var oscillator = context.createOscillator();
    var gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.2;
    oscillator.connect(gain);
    gain.connect(context.destination);
    oscillator.start(context.currentTime + start);
    oscillator.stop(context.currentTime + start + length);
  }

  function playVerdict() {
    if (!soundOn()) return;
    var verdict = document.querySelector("#box-office .verdict[data-verdict]");
    var context = verdict && audioContext();
    if (!context) return;
    var kind = verdict.getAttribute("data-verdict");
    if (kind === "accepted" || kind === "admitted") {
      tone(context, 880, 0, 0.12);
    } else if (kind === "refused") {
      tone(context, 220, 0, 0.15);
      tone(context, 220, 0.22, 0.15);
    }
  }

  function wireSound() {
    var toggle = document.querySelector("input[data-sound-toggle]");
    if (!toggle) return;
    var line = toggle.closest(".sound-switch");
    if (line) line.hidden = false;  // shown only where the script runs: without it nothing sounds
    toggle.checked = soundOn();
    toggle.addEventListener("change", function () {
      try { window.localStorage.setItem(SOUND, toggle.checked ? "on" : "off"); } catch (e) { /* private mode */ }
      if (toggle.checked) audioContext();
      focusNumber();  // back to the number field: the next card can be scanned at once
    });
  }

  // --- offline: admissions queued on this device, sent when the connection returns ----------------
  //
  // Without a connection the check form and the Admit form do not reach the server: the number's
  // check character is still verified (card-number.js), and the admission is kept in localStorage
  // with a request key of its own (the Admit form's key, when it came from one). When the connection
  // returns, each is sent to POST /api/v1/uses with its key as Idempotency-Key, oldest first: a
  // retry of one that reached the server answers 200 with the same use, never a second one. One the
  // rules refuse (a card closed meanwhile) is taken off the queue and listed, with the reason, until
  // the clerk marks it seen. Each is dated by the server's clock (the offset read when the page
  // loaded), not by the device's.

  var QUEUE = "kaikukanta.boxOffice.queue.v1";
  var REFUSED = "kaikukanta.boxOffice.refused.v1";
  var panel = null;
  var clockOffset = 0;
  var syncing = false;

  function load(name) {
    try { return JSON.parse(window.localStorage.getItem(name) || "[]"); } catch (e) { return []; }
  }
  function store(name, value) { window.localStorage.setItem(name, JSON.stringify(value)); }
  function text(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] === undefined ? all : String(values[name]);
    });
  }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }
  function display(number) {
    var kc = window.KaikukantaCardNumber;
    return kc ? kc.display(kc.normalize(number)) : number;
  }

  function render() {
    if (!panel) return;
    var offline = !navigator.onLine;
    var note = panel.querySelector("[data-offline-note]");
    note.textContent = panel.dataset.msgOffline;
    note.hidden = !offline;
    var queue = load(QUEUE);
    var waiting = panel.querySelector("[data-waiting]");
    waiting.textContent = text(panel.dataset.msgWaiting, { count: queue.length });
    waiting.dataset.count = String(queue.length);
    waiting.hidden = queue.length === 0;
    var refused = load(REFUSED);
    var list = panel.querySelector("[data-refused]");
    list.textContent = "";
    refused.forEach(function (item, index) {
      var li = document.createElement("li");
      li.className = "verdict not-ok";
      var p = document.createElement("p");
      p.textContent = text(panel.dataset.msgRefused, {
        number: display(item.card),
        time: new Date(item.at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }),
        message: item.message
      });
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = panel.dataset.msgDismiss;
      button.addEventListener("click", function () {
        var left = load(REFUSED);
        left.splice(index, 1);
        store(REFUSED, left);
        render();
      });
      li.appendChild(p);
      li.appendChild(button);
      list.appendChild(li);
    });
    list.hidden = refused.length === 0;
  }

  function showQueued(number) {
    var area = document.querySelector("#box-office .verdict-area");
    if (!area) return;
    area.textContent = "";
    var box = document.createElement("div");
    box.className = "verdict info";
    box.setAttribute("data-verdict", "queued");
    var p = document.createElement("p");
    p.className = "verdict-title";
    p.textContent = text(panel.dataset.msgQueued, { number: display(number) });
    box.appendChild(p);
    area.appendChild(box);
    var admit = document.querySelector("form[data-admit-form]");
    if (admit) admit.remove();  // its card is queued: a second Enter must not queue it twice
  }

  function field(form, name) {
    var element = form.elements.namedItem(name);
    if (!element) return null;
    if (element.type === "checkbox") return element.checked;
    return element.value;
  }

  function queueAdmission(item) {
    var queue = load(QUEUE);
    queue.push(item);
    store(QUEUE, queue);
    render();
  }

  function onSubmitOffline(event) {
    if (navigator.onLine || !panel) return;
    var form = event.target;
    var now = new Date(Date.now() + clockOffset).toISOString();
    if (form.matches("form.check-form")) {
      var input = numberField(form);
      var kc = window.KaikukantaCardNumber;
      if (!input || !input.value.trim() || (kc && !kc.judge(input, true))) return;  // card-number.js says why
      event.preventDefault();
      event.stopImmediatePropagation();
      var venue = field(form, "venue") || panel.dataset.venue;
      queueAdmission({
        key: newKey(), venue: parseInt(venue, 10), card: kc ? kc.normalize(input.value) : input.value.trim(),
        kind: "entry_ticket", adult_ticket: true, child_tickets: 0, at: now
      });
      showQueued(input.value);
      input.value = "";
      focusNumber();
    } else if (form.matches("form[data-admit-form]")) {
      event.preventDefault();
      event.stopImmediatePropagation();
      var item = {
        key: field(form, "request_key"), venue: parseInt(field(form, "venue"), 10),
        card: field(form, "identifier"), kind: field(form, "kind") || "entry_ticket",
        adult_ticket: Boolean(field(form, "adult_ticket")),
        child_tickets: parseInt(field(form, "child_tickets") || "0", 10) || 0, at: now
      };
      var eventId = field(form, "event");
      if (eventId) item.event = parseInt(eventId, 10);
      var category = field(form, "category");
      if (category) item.category = category;
      queueAdmission(item);
      showQueued(item.card);
      focusNumber();
    }
  }

  function send(item) {
    var body = {
      venue: item.venue, card: item.card, kind: item.kind, adult_ticket: item.adult_ticket,
      child_tickets: item.child_tickets, occurred_at: item.at
    };
    if (item.event) body.event = item.event;
    if (item.category) body.category = item.category;
    return fetch(panel.dataset.usesUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        "Idempotency-Key": item.key,
        "Accept-Language": document.documentElement.lang || "fi"
      },
      body: JSON.stringify(body)
    });
  }

  function sync() {
    if (syncing || !panel || !navigator.onLine) return;
    var queue = load(QUEUE);
    if (!queue.length) { render(); return; }
    syncing = true;
    var item = queue[0];
    send(item).then(function (response) {
      var status = response.status;
      if (status === 200 || status === 201) return "sent";
      if (status === 401 || status === 403 || status === 429 || status >= 500) return "later";
      return response.json().then(function (error) {
        var refused = load(REFUSED);
        refused.push({ card: item.card, at: item.at, code: error.code, message: error.message });
        store(REFUSED, refused);
        return "refused";
      }, function () { return "later"; });
    }, function () { return "later"; }).then(function (outcome) {
      syncing = false;
      if (outcome === "later") { render(); window.setTimeout(sync, 15000); return; }
      var left = load(QUEUE).filter(function (queued) { return queued.key !== item.key; });
      store(QUEUE, left);
      render();
      sync();
    });
  }

  function startOffline() {
    panel = document.getElementById("offline-queue");
    if (!panel) return;
    var serverNow = Date.parse(panel.dataset.serverNow || "");
    if (!isNaN(serverNow)) clockOffset = serverNow - Date.now();
    document.addEventListener("submit", onSubmitOffline, true);
    window.addEventListener("online", function () { render(); sync(); });
    window.addEventListener("offline", render);
    window.addEventListener("storage", render);
    if ("serviceWorker" in navigator && panel.dataset.serviceWorker) {
      navigator.serviceWorker.register(panel.dataset.serviceWorker).catch(function () {});
    }
    render();
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireAll(document);
    wireSound();
    startOffline();
    focusNumber();
  });
  document.addEventListener("htmx:load", function (event) { wireAll(event.target); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "box-office") playVerdict();
    focusNumber();
  });
})();
