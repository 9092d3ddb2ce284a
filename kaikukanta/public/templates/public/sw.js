{% load static %}// The mobile card's service worker: keeps the last copy of the card and its visits for offline use,
// and the few static files for every later load. A link that stops working drops its copy.
"use strict";
const CACHE = "kaikukortti-3";
const ASSETS = ["{% static 'public/public.js' %}", "{% static 'public/icon.svg' %}"];
const WAIT = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))
  )).then(() => self.clients.claim()));
});

// The card's page and its visits come from the device once saved: the holder's phone shows the card at
// once, on any network or none. The network's answer refreshes the saved copy in the background, and
// when the card itself changed (closed, renewed, the link revoked: the X-Card-State header, or a 404)
// the page is told to load again, so the holder sees the change at once. A first visit, and an address
// with a query (?lang=sv), go to the network first, as before, with the saved copy as the fallback.
function fromNetwork(request, key) {
  return fetch(request).then((response) => {
    if (response.headers.get("X-Offline-Copy") === "yes") {
      const copy = response.clone();
      return caches.open(CACHE).then((cache) => cache.put(key, copy)).then(() => response);
    }
    if (response.status === 404) {
      return caches.open(CACHE).then((cache) => cache.delete(key)).then(() => response);
    }
    return response;
  });
}

function networkFirst(request, key) {
  const answer = fromNetwork(request, key);
  const saved = caches.match(key);
  const late = new Promise((resolve) => setTimeout(resolve, WAIT)).then(() => saved);
  return Promise.race([answer, late.then((hit) => hit || answer)])
    .catch(() => saved.then((hit) => hit || Response.error()));
}

function page(event) {
  const request = event.request;
  const url = new URL(request.url);
  const key = url.origin + url.pathname;
  if (url.search) return networkFirst(request, key);
  return caches.match(key).then((saved) => {
    if (!saved) return networkFirst(request, key);
    const state = saved.headers.get("X-Card-State");
    event.waitUntil(fromNetwork(request, key).then((response) => {
      const changed = response.status === 404 ||
        (response.ok && response.headers.get("X-Card-State") !== state);
      if (!changed) return undefined;
      return self.clients.get(event.resultingClientId || event.clientId)
        .then((client) => client && client.postMessage("card-changed"));
    }).catch(() => undefined));
    return saved;
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/m/")) {
    event.respondWith(page(event));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
