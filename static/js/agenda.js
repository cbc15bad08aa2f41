// The personal agenda on a phone: registers the agenda's service worker (static/js/
// agenda-sw.js) so that the page opens without a network, and says how fresh the copy is.
(function () {
  "use strict";
  var root = document.getElementById("agenda-offline");
  if (!root) { return; }
  var d = root.dataset;
  var status = document.getElementById("agenda-freshness");
  function when(iso) {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || "vi", {
        timeZone: d.timezone, dateStyle: "short", timeStyle: "short"
      }).format(new Date(iso));
    } catch (e) { return iso; }
  }
  function show() {
    var text = (navigator.onLine ? d.msgFresh : d.msgOffline).replace("{time}", when(d.generatedAt));
    status.textContent = text;
    status.className = "badge " + (navigator.onLine ? "text-bg-light border" : "text-bg-warning");
  }
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();
  if ("serviceWorker" in navigator && d.swUrl) {
    navigator.serviceWorker.register(d.swUrl, { scope: d.swScope }).catch(function () { return null; });
  }
})();
