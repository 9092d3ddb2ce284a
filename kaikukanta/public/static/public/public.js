// The cardholder's pages: text size (kept on the device), the offline notice, the card's worker.
"use strict";
(function () {
  var root = document.documentElement;
  var KEY = "kaikukortti-text-size";
  function apply(size) {
    root.classList.remove("text-1", "text-2", "text-3");
    if (size > 0) root.classList.add("text-" + size);
  }
  var size = 0;
  try { size = parseInt(localStorage.getItem(KEY) || "0", 10) || 0; } catch (e) { size = 0; }
  apply(size);
  document.addEventListener("DOMContentLoaded", function () {
    var tools = document.querySelector(".size");
    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (event) {
        var step = event.target.closest("button[data-size]");
        if (!step) return;
        size = Math.max(0, Math.min(3, size + parseInt(step.dataset.size, 10)));
        apply(size);
        try { localStorage.setItem(KEY, String(size)); } catch (e) { /* private mode */ }
      });
    }
    var notice = document.querySelector("[data-offline]");
    function update() { if (notice) notice.hidden = navigator.onLine; }
    update();
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    if (document.querySelector("link[rel=manifest]") && "serviceWorker" in navigator) {
      navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(function () {});
      // The worker showed the saved copy and found the card changed since: show the new state.
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data === "card-changed") window.location.reload();
      });
    }
  });
})();
