// Service worker of the check-in kiosk: keeps the kiosk pages and their static files in a
// cache, so a tablet that reloads while the venue network is down still opens the kiosk.
// Requests go to the network first; the cache answers only when the network does not.
// Scans (POST) are never touched here: the page queues them itself (static/js/checkin.js).
"use strict";
var CACHE = "tf-checkin-v1";
var scope = new URL(self.registration.scope).pathname;  // e.g. /2025/checkin/

function cacheable(url) {
  if (url.origin !== self.location.origin) { return false; }
  if (url.pathname.indexOf("/static/") === 0) { return true; }
  // the kiosk itself and each session door; never search results (they list people)
  var rest = url.pathname.slice(scope.length);
  return url.pathname.indexOf(scope) === 0 && (rest === "" || /^sessions\/\d+$/.test(rest));
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
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) { return hit || Response.error(); });
    })
  );
});
