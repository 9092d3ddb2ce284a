{% load static %}// The mobile card's service worker: keeps the last copy of the card and its visits for offline use,
// and the few static files for every later load. A link that stops working drops its copy.
"use strict";
const CACHE = "kaikukortti-2";
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

function page(request) {
  const url = new URL(request.url);
  const key = url.origin + url.pathname;
  const fromNetwork = fetch(request).then((response) => {
    if (response.headers.get("X-Offline-Copy") === "yes") {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(key, copy));
    } else if (response.status === 404) {
      caches.open(CACHE).then((cache) => cache.delete(key));
    }
    return response;
  });
  const saved = caches.match(key);
  const late = new Promise((resolve) => setTimeout(resolve, WAIT)).then(() => saved);
  return Promise.race([fromNetwork, late.then((hit) => hit || fromNetwork)])
    .catch(() => saved.then((hit) => hit || Response.error()));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/m/")) {
    event.respondWith(page(request));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
