/* The box office (templates/web/box_office/): a clerk with a queue, a USB scanner or a camera.
 *
 *  - The card number field has focus when the page opens and after every answer (htmx swaps the whole
 *    working area), its old text selected, so the next card typed or scanned replaces it.
 *  - A scanner types the number and then Enter (the form submits) or Tab: a Tab after a number in the
 *    field submits too, instead of moving on.
 *  - Enter in the empty number field admits the card just accepted (the Admit form's button), so that
 *    scanning and admitting needs no pointer at all.
 *  - The first key of a new number empties the verdict (and its live region) and removes its Admit:
 *    a verdict is never left beside a number it is not about.
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
  // with a request key of its own (the Admit form's key, when it came from one) and the device's
  // clock at the moment of admission: the server keeps that as the use's time, within the
  // backdating rule, and refuses (and audits) a time in the future or too far back, so a wrong
  // clock is shown to the clerk instead of moving the visit silently. When the connection returns,
  // each is sent to POST /api/v1/uses with its key as Idempotency-Key, oldest first, by one tab at a
  // time (a Web Lock): a retry of one that reached the server answers 200 with the same use, never a
  // second one. One the rules refuse is taken off the queue and listed once, with words for the
  // clerk, until marked seen. A login that has expired stops the sending (no request every 15 s):
  // the clerk is asked to log in again in a new tab, and the queue is sent as soon as a session is
  // back (this page's CSRF token is then renewed, so its own forms work again too).

  // The queue and the list of refusals are the user's (the page's data-user), as the venue choice and
  // the list of card states are: after one clerk logs out, the next one's login neither sends the
  // first one's admissions in their own name nor sees their card numbers; they wait for their clerk.
  var QUEUE = "kaikukanta.boxOffice.queue.v2.";
  var REFUSED = "kaikukanta.boxOffice.refused.v2.";
  var UNOWNED = ["kaikukanta.boxOffice.queue.v1", "kaikukanta.boxOffice.refused.v1"];
  var VENUE = "kaikukanta.boxOffice.venue.v1.";
  var LOCK = "kaikukanta-box-office-queue";
  var panel = null;
  var syncing = false;
  var retry = null;
  var loginNeeded = false;

  function load(name) {
    try { return JSON.parse(window.localStorage.getItem(name) || "[]"); } catch (e) { return []; }
  }
  function store(name, value) { window.localStorage.setItem(name, JSON.stringify(value)); }
  function queueKey() { return QUEUE + (panel.dataset.user || ""); }
  function refusedKey() { return REFUSED + (panel.dataset.user || ""); }
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
  function setCsrfToken(token) {
    var headers = {};
    try { headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { /* none */ }
    headers["X-CSRFToken"] = token;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
    var inputs = document.querySelectorAll("input[name=csrfmiddlewaretoken]");
    for (var i = 0; i < inputs.length; i++) inputs[i].value = token;
  }
  function display(number) {
    var kc = window.KaikukantaCardNumber;
    return kc ? kc.display(kc.normalize(number)) : number;
  }
  function timeOf(iso) {
    // Finnish style (13.05) in every language, as the rest of the registry writes times.
    var moment = new Date(iso);
    return moment.getHours() + "." + ("0" + moment.getMinutes()).slice(-2);
  }

  // Clerk-facing words for a queued admission the rules refused on sync: the server's own message
  // speaks to the holder ("ask a distributor for a new card"), not to a clerk whose visitor has gone.
  var CARD_REFUSALS = ["card_closed", "card_expired", "card_pilot_ended", "card_not_yet_valid",
    "card_not_found", "card_registered_elsewhere", "community_card_needs_group"];
  var CLOCK_REFUSALS = ["date_in_future", "date_too_far_back"];
  function refusalWords(item) {
    if (CARD_REFUSALS.indexOf(item.code) !== -1) return panel.dataset.msgRefusedCard;
    if (CLOCK_REFUSALS.indexOf(item.code) !== -1) return panel.dataset.msgRefusedClock;
    return item.message || "";
  }

  function render() {
    if (!panel) return;
    var offline = !navigator.onLine;
    var note = panel.querySelector("[data-offline-note]");
    note.textContent = panel.dataset.msgOffline;
    note.hidden = !offline;
    var login = panel.querySelector("[data-login-needed]");
    login.hidden = !loginNeeded;
    var queue = load(queueKey());
    var waiting = panel.querySelector("[data-waiting]");
    waiting.textContent = text(panel.dataset.msgWaiting, { count: queue.length });
    waiting.dataset.count = String(queue.length);
    waiting.hidden = queue.length === 0;
    var refused = load(refusedKey());
    var list = panel.querySelector("[data-refused]");
    list.textContent = "";
    refused.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "verdict not-ok";
      var p = document.createElement("p");
      p.textContent = text(panel.dataset.msgRefused, {
        number: display(item.card), time: timeOf(item.at), message: refusalWords(item)
      });
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = panel.dataset.msgDismiss;
      button.addEventListener("click", function () {
        store(refusedKey(), load(refusedKey()).filter(function (seen) { return seen.key !== item.key; }));
        render();
        focusNumber();
      });
      li.appendChild(p);
      li.appendChild(button);
      list.appendChild(li);
    });
    list.hidden = refused.length === 0;
    // A "saved on this device" verdict whose admission has been sent says so no more.
    var queued = document.querySelectorAll('#box-office [data-verdict="queued"]');
    for (var i = 0; i < queued.length; i++) {
      var key = queued[i].getAttribute("data-key");
      if (!queue.some(function (item) { return item.key === key; })) queued[i].remove();
    }
  }

  function clearVerdict() {
    // A new number is being typed or scanned: the last card's verdict and its Admit go at once, so
    // that neither the eye, the screen reader nor Enter can take them for the new card's.
    var area = document.querySelector("#box-office .verdict-area");
    if (area) area.textContent = "";
    var admit = document.querySelector("form[data-admit-form]");
    if (admit) admit.remove();
  }

  function showQueued(number, key) {
    var area = document.querySelector("#box-office .verdict-area");
    if (!area) return;
    area.textContent = "";
    var box = document.createElement("div");
    box.className = "verdict info";
    box.setAttribute("data-verdict", "queued");
    box.setAttribute("data-key", key);
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
    var queue = load(queueKey());
    queue.push(item);
    store(queueKey(), queue);
    render();
  }

  function onSubmit(event) {
    var form = event.target;
    if (form.matches && form.matches("form.check-form")) clearVerdict();
    if (navigator.onLine || !panel) return;
    var now = new Date().toISOString();  // the device's clock, at the moment of admission
    if (form.matches("form.check-form")) {
      var input = numberField(form);
      var kc = window.KaikukantaCardNumber;
      if (!input || !input.value.trim() || (kc && !kc.judge(input, true))) return;  // card-number.js says why
      event.preventDefault();
      event.stopImmediatePropagation();
      var venue = field(form, "venue") || panel.dataset.venue;
      var number = kc ? kc.normalize(input.value) : input.value.trim();
      if (field(form, "admit_now")) {
        var key = newKey();
        queueAdmission({
          key: key, venue: parseInt(venue, 10), card: number,
          kind: "entry_ticket", adult_ticket: true, child_tickets: 0, at: now
        });
        showQueued(number, key);
      } else {
        showOfflineAdmit(number, venue);
      }
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
      showQueued(item.card, item.key);
      focusNumber();
    }
  }

  // --- what the cards last said, on this device: the answers of its own checks ---------------------
  //
  // Each verdict the box office shows online is remembered (validity, valid-until, child tickets,
  // never more than a venue sees), so that a card scanned offline says how it was when last
  // checked here, and how many child tickets it allowed. Kept per user; cleared at log-out and
  // when the login is found expired, so that it never outlives the session on a shared device.

  var SEEN = "kaikukanta.boxOffice.seen.v1";
  var SEEN_MAX = 300;

  function loadSeen() {
    var seen = null;
    try { seen = JSON.parse(window.localStorage.getItem(SEEN) || "null"); } catch (e) { seen = null; }
    if (!seen || seen.user !== (panel && panel.dataset.user)) return { user: panel && panel.dataset.user, cards: {} };
    return seen;
  }
  function forgetSeen() {
    try {
      window.localStorage.removeItem(SEEN);
      window.localStorage.removeItem(STATES);
    } catch (e) { /* private mode */ }
  }
  function rememberVerdict() {
    var verdict = document.querySelector("#box-office .verdict[data-card]");
    if (!verdict || !panel) return;
    var seen = loadSeen();
    var card = verdict.getAttribute("data-card");
    delete seen.cards[card];
    seen.cards[card] = {
      state: verdict.getAttribute("data-card-state"), until: verdict.getAttribute("data-valid-until"),
      children: parseInt(verdict.getAttribute("data-children") || "0", 10) || 0, at: new Date().toISOString()
    };
    var cards = Object.keys(seen.cards);
    for (var i = 0; i < cards.length - SEEN_MAX; i++) delete seen.cards[cards[i]];
    try { window.localStorage.setItem(SEEN, JSON.stringify(seen)); } catch (e) { /* full or private */ }
  }

  // --- the venue's list of card states, synced from the server (pretixSCAN's model) --------------
  //
  // The cards used at this venue lately, each with its state today as the venue's check gives it
  // (verdict, valid-until, child tickets, type; never who issued it, nothing of the holder), fetched
  // from /venue/card-states/ every few minutes while online (one tab at a time, each fetch audited).
  // Offline, a scanned card is answered from it first, with the list's age ("closed (as of 14.05)"),
  // or from this device's own last check when that is newer; a card in neither is "not in the
  // list". Kept per user and venue; dropped at log-out, when the login is found expired, and once
  // the session it was fetched in has ended (`session_ends`), so that it never outlives the session.

  var STATES = "kaikukanta.boxOffice.states.v1";
  var STATES_LOCK = "kaikukanta-box-office-states";
  var STATES_EVERY = 5 * 60 * 1000;

  function loadStates(venue) {
    var list = null;
    try { list = JSON.parse(window.localStorage.getItem(STATES) || "null"); } catch (e) { list = null; }
    if (!list || !panel || list.user !== panel.dataset.user) return null;
    // The session's end by the device's clock: as long after the fetch as the server said it was
    // after its own time then (a device clock that is off does not keep the list, or drop it early).
    var left = new Date(list.session_ends).getTime() - new Date(list.as_of).getTime();
    if (!(list.fetched + left > Date.now())) {
      try { window.localStorage.removeItem(STATES); } catch (e) { /* private mode */ }
      return null;
    }
    if (venue !== undefined && String(list.venue) !== String(venue)) return null;
    return list;
  }

  function chosenVenue() {
    var select = venueSelect();
    return select ? select.value : panel.dataset.venue;
  }

  function syncStates() {
    if (!panel || !panel.dataset.statesUrl || !navigator.onLine || loginNeeded) return Promise.resolve();
    var venue = chosenVenue();
    return Promise.resolve(withLock(function () {
      var list = loadStates(venue);  // read afresh under the lock: another tab may have just fetched it
      if (list && Date.now() - list.fetched < STATES_EVERY - 15000) return null;
      // redirect "manual", as probeLogin: the login page's new CSRF cookie is not fetched here.
      return fetch(panel.dataset.statesUrl + "?venue=" + encodeURIComponent(venue), {
        credentials: "same-origin", headers: { Accept: "application/json" }, redirect: "manual"
      }).then(function (response) {
        if (response.redirected || response.type === "opaqueredirect" || response.status === 401) {
          needLogin();
          return null;
        }
        if (!response.ok) return null;
        return response.json().then(function (data) {
          data.user = panel.dataset.user;
          data.fetched = Date.now();
          try { window.localStorage.setItem(STATES, JSON.stringify(data)); } catch (e) { /* full */ }
        });
      }, function () { return null; });
    }, STATES_LOCK)).catch(function () { /* tried again in a while */ });
  }

  function ageOf(iso) {
    var moment = new Date(iso);
    return moment.toDateString() === new Date().toDateString() ? timeOf(iso) : dateOf(iso);
  }

  function element(tag, attributes, textContent) {
    var made = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { made.setAttribute(name, attributes[name]); });
    if (textContent !== undefined) made.textContent = textContent;
    return made;
  }
  function options() {
    var data = document.getElementById("offline-admit-options");
    try { return JSON.parse(data ? data.textContent : "{}") || {}; } catch (e) { return {}; }
  }
  function dateOf(iso) {
    var moment = new Date(iso);
    return moment.getDate() + "." + (moment.getMonth() + 1) + "." + moment.getFullYear() + " " + timeOf(iso);
  }

  // Offline, a scanned card gets a verdict of what is known (last checked here, or not at all) and
  // the Admit form's choices: the holder's ticket, child tickets up to what the card last said (or
  // the maximum), the kind and the event. Admit (or Enter in the empty field) queues it.
  function showOfflineAdmit(number, venue) {
    var area = document.querySelector("#box-office .verdict-area");
    if (!area) return;
    clearVerdict();
    var known = loadSeen().cards[number];
    var list = loadStates(venue);
    var listed = list ? list.cards[number] : undefined;
    if (listed && known && new Date(known.at) > new Date(list.as_of)) listed = undefined;  // checked here since
    var choices = options();
    var place = (choices.venues || {})[String(venue)] || { child_tickets: true, events: [] };
    var refused = listed && listed.verdict !== "accepted";
    var box = element("div", { "class": refused ? "verdict not-ok" : "verdict info", "data-verdict": "offline" });
    box.appendChild(element("p", { "class": "verdict-title" }, text(panel.dataset.msgOfflineTitle, { number: display(number) })));
    if (listed) {
      var words = text(panel.dataset.msgListState, {
        state: (choices.verdicts || {})[listed.verdict] || listed.verdict, time: ageOf(list.as_of)
      });
      if (!refused) words += ": " + text(panel.dataset.msgStateValid, { until: listed.until, children: listed.children });
      box.appendChild(element("p", { "data-list-state": listed.verdict }, words + ". " + panel.dataset.msgCheckedWhenSent));
    } else if (list) {
      box.appendChild(element("p", { "data-list-state": "unknown" }, text(panel.dataset.msgNotListed, { time: ageOf(list.as_of) })));
    }
    if (!listed && known) {
      var state = known.state === "accepted"
        ? text(panel.dataset.msgStateValid, { until: known.until, children: known.children })
        : panel.dataset.msgStateRefused;
      box.appendChild(element("p", { "data-last-seen": known.state },
        text(panel.dataset.msgLastSeen, { seen: dateOf(known.at), state: state })));
    } else if (!listed && !list) {
      box.appendChild(element("p", { "data-last-seen": "unknown" }, panel.dataset.msgNeverSeen));
    }
    area.appendChild(box);

    var form = element("form", { "class": "admit", "data-admit-form": "", "data-offline-admit": "", novalidate: "" });
    [["venue", venue], ["identifier", number], ["request_key", newKey()]].forEach(function (pair) {
      form.appendChild(element("input", { type: "hidden", name: pair[0], value: String(pair[1]) }));
    });
    form.appendChild(element("button", { type: "submit", "class": "primary admit-button" }, panel.dataset.msgAdmit));
    var choicesBox = element("div", { "class": "admit-options" });
    var adult = element("div", { "class": "field check" });
    var adultLabel = element("label");
    var adultBox = element("input", { type: "checkbox", name: "adult_ticket", checked: "" });
    adultLabel.appendChild(adultBox);
    adultLabel.appendChild(document.createTextNode(" " + panel.dataset.msgAdult));
    adult.appendChild(adultLabel);
    choicesBox.appendChild(adult);
    var most = !place.child_tickets ? 0
      : listed && !refused ? listed.children
      : !listed && known && known.state === "accepted" ? known.children
      : (choices.max_children || 20);
    if (most > 0) {
      var counter = element("div", { "class": "field counter" });
      counter.appendChild(element("label", { "for": "offline-child-tickets" }, panel.dataset.msgChildren + " (0–" + most + ")"));
      var row = element("div", { "class": "counter-row" });
      var fewer = element("button", { type: "button", "class": "step", "data-step": "-1", "aria-controls": "offline-child-tickets", hidden: "" }, "−");
      fewer.appendChild(element("span", { "class": "visually-hidden" }, " " + panel.dataset.msgFewer));
      var more = element("button", { type: "button", "class": "step", "data-step": "1", "aria-controls": "offline-child-tickets", hidden: "" }, "+");
      more.appendChild(element("span", { "class": "visually-hidden" }, " " + panel.dataset.msgMore));
      row.appendChild(fewer);
      row.appendChild(element("input", { type: "number", id: "offline-child-tickets", name: "child_tickets", min: "0", max: String(most), value: "0", inputmode: "numeric" }));
      row.appendChild(more);
      counter.appendChild(row);
      choicesBox.appendChild(counter);
    } else {
      form.appendChild(element("input", { type: "hidden", name: "child_tickets", value: "0" }));
    }
    function select(name, label, items, empty) {
      var wrap = element("div", { "class": "field" });
      wrap.appendChild(element("label", { "for": "offline-" + name }, label));
      var list = element("select", { id: "offline-" + name, name: name });
      if (empty) list.appendChild(element("option", { value: "" }, empty));
      items.forEach(function (item) { list.appendChild(element("option", { value: String(item.value) }, item.label)); });
      wrap.appendChild(list);
      choicesBox.appendChild(wrap);
    }
    select("kind", panel.dataset.msgKind, choices.kinds || [{ value: "entry_ticket", label: "" }]);
    if (place.events && place.events.length) {
      select("event", panel.dataset.msgEvent, place.events.map(function (event) {
        return { value: event.id, label: event.title };
      }), panel.dataset.msgNoEvent);
    }
    form.appendChild(choicesBox);
    area.parentNode.insertBefore(form, area.nextSibling);
    wireCounters(form);
  }

  function send(item) {
    var body = {
      venue: item.venue, card: item.card, kind: item.kind, adult_ticket: item.adult_ticket,
      child_tickets: item.child_tickets, occurred_at: item.at,
      sent_at: new Date().toISOString()  // lets the server note a device clock that is clearly wrong
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

  function outcomeOf(item, response) {
    var status = response.status;
    if (status === 200 || status === 201) return Promise.resolve("sent");
    if (status === 429 || status >= 500) return Promise.resolve("later");
    return response.json().then(function (error) {
      // No session (401), or a CSRF token that no longer matches one (a login in another tab):
      // the same answer for the clerk, log in again.
      if (status === 401 || (status === 403 && (!error.code || error.code === "csrf_failed"))) return "login";
      var refused = load(refusedKey());
      if (!refused.some(function (seen) { return seen.key === item.key; })) {
        refused.push({ key: item.key, card: item.card, at: item.at, code: error.code, message: error.message });
        store(refusedKey(), refused);
      }
      return "refused";
    }, function () { return status === 401 || status === 403 ? "login" : "later"; });
  }

  // One tab sends at a time, reading the queue afresh under the lock: two tabs never send (and the
  // server never refuses and audits) the same admission twice.
  function withLock(work, name) {
    if (navigator.locks && navigator.locks.request) return navigator.locks.request(name || LOCK, work);
    return work();
  }

  function drain() {
    var queue = load(queueKey());
    if (!queue.length) return Promise.resolve("done");
    var item = queue[0];
    return send(item).then(function (response) { return outcomeOf(item, response); },
      function () { return "later"; }).then(function (outcome) {
      if (outcome !== "sent" && outcome !== "refused") return outcome;
      // Sent (or refused for good): the card number leaves the device's storage.
      store(queueKey(), load(queueKey()).filter(function (queued) { return queued.key !== item.key; }));
      render();
      return drain();
    });
  }

  function sync() {
    if (syncing || !panel || !navigator.onLine || loginNeeded) return;
    if (!load(queueKey()).length) { render(); return; }
    syncing = true;
    window.clearTimeout(retry);
    Promise.resolve(withLock(drain)).then(function (outcome) {
      syncing = false;
      if (outcome === "login") needLogin();
      else if (outcome === "later") retry = window.setTimeout(sync, 15000);
      render();
    }, function () {
      syncing = false;
      retry = window.setTimeout(sync, 15000);
      render();
    });
  }

  function needLogin() {
    forgetSeen();  // the session has ended: what the cards said leaves the device
    if (!loginNeeded) {
      loginNeeded = true;
      render();
      var link = panel.querySelector("[data-login-needed] a");
      if (link) link.focus();
    }
  }

  // Whether a session is back (a login in another tab): the box office's own fragment, fetched as
  // htmx fetches it, is the page itself (not the login page) and carries the session's CSRF token.
  function probeLogin() {
    if (!loginNeeded || !panel) return;
    // redirect "manual": still logged out, the answer is a redirect not followed (an opaque one). Were
    // the login page loaded, its new CSRF cookie would undo a login just being typed in another tab.
    fetch(window.location.pathname, {
      credentials: "same-origin", headers: { "HX-Request": "true" }, redirect: "manual"
    })
      .then(function (response) {
        if (!response.ok || response.redirected || response.type === "opaqueredirect") return null;
        return response.text();
      }).then(function (html) {
        var found = html && /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        if (!found || html.indexOf("verdict-area") === -1) return;
        // Another clerk's session (logged in in another tab): this page's queue is not theirs to send.
        var user = /data-user="([^"]*)"/.exec(html);
        if (!user || user[1] !== panel.dataset.user) return;
        setCsrfToken(found[1]);
        loginNeeded = false;
        render();
        sync();
        syncStates();
      }, function () { /* still offline */ });
  }

  // A check sent after the session expired comes back as the login page (a redirect), or as
  // Django's CSRF page (403) when the cookies are gone: neither is swapped into the box office.
  function loginResponse(xhr) {
    var login = panel && panel.dataset.loginPath;
    try {
      if (login && xhr.responseURL && new URL(xhr.responseURL).pathname === login) return true;
    } catch (e) { /* not a URL */ }
    return xhr.status === 403 && (xhr.responseText || "").indexOf("verdict-area") === -1;
  }

  function onBeforeOnLoad(event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr || !panel || !loginResponse(xhr)) return;
    event.preventDefault();
    event.stopPropagation();  // django-htmx's debug script would show the 403 page in place of ours
    needLogin();
    focusNumber();
  }

  // The venue chosen on this device, for this user: a second tab (opened from the cache, offline
  // too) shows and uses it, not the venue the cached page was drawn with.
  function venueKey() { return VENUE + (panel.dataset.user || ""); }
  function venueSelect() { return document.querySelector("form.check-form select[name=venue]"); }
  function applyVenue() {
    var select = venueSelect();
    if (!select) return;
    var chosen = null;
    try { chosen = window.localStorage.getItem(venueKey()); } catch (e) { return; }
    if (chosen && select.querySelector('option[value="' + chosen.replace(/[^0-9]/g, "") + '"]')) {
      select.value = chosen;
    }
  }
  function rememberVenue(event) {
    var target = event.target;
    if (!target.matches || !target.matches("form.check-form select[name=venue]")) return;
    try { window.localStorage.setItem(venueKey(), target.value); } catch (e) { /* private mode */ }
    syncStates();  // the list of the venue now chosen
  }

  function startOffline() {
    panel = document.getElementById("offline-queue");
    if (!panel) return;
    document.addEventListener("submit", onSubmit, true);
    document.addEventListener("input", function (event) {
      if (event.target && event.target.matches && event.target.matches("form.check-form input[data-box-office-number]")) {
        clearVerdict();
      }
    });
    document.addEventListener("change", rememberVenue);
    document.addEventListener("htmx:beforeOnLoad", onBeforeOnLoad, true);
    document.addEventListener("htmx:afterSettle", function (event) {
      if (event.target && event.target.id === "box-office") { applyVenue(); rememberVerdict(); }
    });
    document.addEventListener("submit", function (event) {
      if (event.target.matches && event.target.matches("form.logout")) forgetSeen();
    }, true);
    try {  // another user's lists, left by a session that did not log out here, go
      [SEEN, STATES].forEach(function (name) {
        var stored = JSON.parse(window.localStorage.getItem(name) || "null");
        if (stored && stored.user !== panel.dataset.user) forgetSeen();
      });
    } catch (e) { forgetSeen(); }
    window.addEventListener("online", function () { render(); probeLogin(); sync(); syncStates(); });
    window.setInterval(syncStates, 60 * 1000);  // fetches only when the list is some minutes old
    window.addEventListener("offline", render);
    window.addEventListener("storage", function () { render(); probeLogin(); });
    window.addEventListener("focus", probeLogin);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") probeLogin();
    });
    if ("serviceWorker" in navigator && panel.dataset.serviceWorker) {
      navigator.serviceWorker.register(panel.dataset.serviceWorker).catch(function () {});
    }
    adoptUnowned();
    applyVenue();
    render();
    sync();
    syncStates();
  }

  // Admissions an earlier version kept under one key for everyone on the device: whose they are is
  // not known, so they go to the first clerk whose box office opens (as they would have been sent
  // before), once, and the shared key is gone.
  function adoptUnowned() {
    try {
      UNOWNED.forEach(function (name, index) {
        var items = load(name);
        if (!items.length) { window.localStorage.removeItem(name); return; }
        var key = index === 0 ? queueKey() : refusedKey();
        var own = load(key);
        items.forEach(function (item) {
          if (!own.some(function (kept) { return kept.key === item.key; })) own.push(item);
        });
        store(key, own);
        window.localStorage.removeItem(name);
      });
    } catch (e) { /* private mode */ }
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
