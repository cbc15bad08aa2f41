// Service worker of the personal agenda: keeps the agenda page (sessions and meetings, day
// by day) and the static files it needs in a cache, so the phone still shows it when the
// venue network is down. The network answers first and refreshes the copy; the cache
// answers only when the network does not. The page after logging out deletes this cache.
"use strict";
var CACHE = "tf-agenda-v1";
var scope = new URL(self.registration.scope).pathname;  // e.g. /2025/programme/

function cacheable(url) {
  if (url.origin !== self.location.origin) { return false; }
  if (url.pathname.indexOf("/static/") === 0) { return true; }
  return url.pathname === scope + "agenda" || url.pathname === scope + "manifest.webmanifest";
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (!cacheable(url)) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      // a redirect (to the login page) is not the agenda: the old copy is dropped
      if (response.redirected || response.status === 401 || response.status === 403) {
        caches.open(CACHE).then(function (cache) { cache.delete(request, { ignoreSearch: true }); });
      } else if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreSearch: true }).then(function (hit) { return hit || Response.error(); });
    })
  );
});
