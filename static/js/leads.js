// Booth scanner: a badge QR read by the camera (static/js/qr-reader.js) or a typed code
// becomes a lead of this booth, with the rating, note and tags filled in at that moment.
// Every scan first goes into a queue in localStorage with its own UUID, then is sent; when
// the network is down the queue waits. The server counts each UUID once.
(function () {
  "use strict";
  var root = document.getElementById("lead-scanner");
  if (!root) { return; }
  var d = root.dataset;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var $ = function (id) { return document.getElementById(id); };
  var els = {
    start: $("camera-start"), stop: $("camera-stop"), message: $("camera-message"),
    net: $("net"), pending: $("pending"), result: $("result"), status: $("result-status"),
    name: $("result-name"), detail: $("result-detail"), link: $("result-link"),
    recent: $("recent"), manual: $("manual"), code: $("manual-code"),
    note: $("scan-note"), tags: $("scan-tags"), details: $("scan-details")
  };

  function loadQueue() {
    try { return JSON.parse(window.localStorage.getItem(d.queueKey) || "[]"); }
    catch (e) { return []; }
  }
  function saveQueue(queue) {
    window.localStorage.setItem(d.queueKey, JSON.stringify(queue));
    els.pending.textContent = String(queue.length);
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function rating() {
    var checked = document.querySelector('input[name="scan-rating"]:checked');
    return checked ? checked.value : null;
  }
  function enqueue(code) {
    var queue = loadQueue();
    queue.push({
      client_scan_id: uuid(), code: code, scanned_at: new Date().toISOString(),
      rating: rating(), note: els.note.value, tags: els.tags.value
    });
    saveQueue(queue);
    els.details.reset();
    flush();
  }
  function setOnline(online) {
    els.net.textContent = online ? d.msgOnline : d.msgOffline;
    els.net.className = "badge " + (online ? "text-bg-success" : "text-bg-warning");
  }
  function refreshToken() {
    return fetch(d.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) { csrf = body.csrf_token; });
  }
  function send(item, retried) {
    return fetch(d.scanUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(item)
    }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
      if (r.status === 400 && !json && !retried) {
        return refreshToken().then(function () { return send(item, true); });
      }
      if (!json) { return { http: r.status, body: null }; }
      return r.json().then(function (body) { return { http: r.status, body: body }; });
    });
  }
  var flushing = false;
  function flush() {
    if (flushing) { return; }
    var queue = loadQueue();
    if (!queue.length) { return; }
    flushing = true;
    var item = queue[0];
    send(item).then(function (answer) {
      setOnline(true);
      flushing = false;
      if (!answer.body || answer.http >= 500) { return; }
      saveQueue(loadQueue().filter(function (x) { return x.client_scan_id !== item.client_scan_id; }));
      show(answer.body, answer.http);
      flush();
    }, function () {
      setOnline(false);
      flushing = false;
      els.result.className = "tf-result card tf-queued";
      els.status.textContent = d.msgQueued;
      els.name.textContent = "";
      els.detail.textContent = "";
      els.link.classList.add("d-none");
    });
  }
  function show(body, http) {
    var ok = http === 200;
    var fresh = ok && body.status === "new";
    els.result.className = "tf-result card " + (fresh ? "tf-ok" : ok ? "tf-already" : "tf-error");
    els.status.textContent = fresh ? d.msgNew : ok ? d.msgAlready : body.message;
    els.name.textContent = ok ? body.name : "";
    els.detail.textContent = ok ? [body.organisation, body.shared ? d.msgShared : d.msgNotShared].filter(Boolean).join(" · ") : "";
    if (ok && body.url) { els.link.href = body.url; els.link.classList.remove("d-none"); }
    else { els.link.classList.add("d-none"); }
    if (navigator.vibrate) { navigator.vibrate(fresh ? 80 : [60, 60, 60]); }
    var li = document.createElement("li");
    li.className = "list-group-item";
    li.textContent = (ok ? body.name + " — " : "") + els.status.textContent;
    els.recent.insertBefore(li, els.recent.firstChild);
    while (els.recent.children.length > 8) { els.recent.removeChild(els.recent.lastChild); }
  }

  var stopCamera = null;
  els.start.addEventListener("click", function () {
    els.message.textContent = "";
    window.TechfestQR.start({
      video: $("camera"), canvas: $("frame"), jsqrUrl: d.jsqrUrl, onCode: enqueue
    }).then(function (stop) {
      stopCamera = stop;
      root.dataset.scanner = "ready";
      els.start.classList.add("d-none");
      els.stop.classList.remove("d-none");
    }, function (err) {
      els.message.textContent = err && err.message === "no-camera" ? d.msgNoCamera : d.msgCameraError;
    });
  });
  els.stop.addEventListener("click", function () {
    if (stopCamera) { stopCamera(); }
    els.start.classList.remove("d-none");
    els.stop.classList.add("d-none");
  });
  els.manual.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = els.code.value.trim();
    if (code) { enqueue(code); }
    els.code.value = "";
    els.code.focus();
  });
  window.addEventListener("online", flush);
  window.setInterval(flush, 5000);
  saveQueue(loadQueue());
  flush();
})();
