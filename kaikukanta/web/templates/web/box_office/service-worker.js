/* The box office's service worker (served at {{ scope }}sw.js, so that its scope covers the box office).
 * It keeps the page and its scripts and styles, so that the page opens without a connection: the page
 * itself is fetched from the network first (fresh figures, a fresh CSRF token) and from the cache when
 * the network fails; the static files, whose names carry their content's hash in production, from the
 * cache first. Admissions made offline are queued by the page (box-office.js), not here. */
"use strict";
var CACHE = "kaikukanta-box-office-{{ version }}";
var PAGE = "{{ scope }}";
var ASSETS = {{ assets|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("kaikukanta-box-office-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE && request.mode === "navigate") {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(PAGE, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(PAGE);
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.match(url.pathname).then(function (cached) { return cached || fetch(request); })
    );
  }
});
