// After logging out: no personal page may stay on the phone. Deletes the agenda's offline
// copy and its service worker (static/js/agenda-sw.js); other caches are left alone.
(function () {
  "use strict";
  var done = document.getElementById("cache-cleared");
  var work = [];
  if (window.caches) {
    work.push(window.caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("tf-agenda") === 0; })
        .map(function (k) { return window.caches.delete(k); }));
    }));
  }
  if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
    work.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
      return Promise.all(regs.filter(function (r) { return /\/programme\/$/.test(r.scope); })
        .map(function (r) { return r.unregister(); }));
    }));
  }
  Promise.all(work).then(function () { if (done) { done.dataset.done = "1"; } },
    function () { if (done) { done.dataset.done = "1"; } });
})();
