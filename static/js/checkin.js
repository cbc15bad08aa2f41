// Check-in kiosk: reads badge QR codes with the camera (BarcodeDetector, else jsQR), or a
// typed code, and checks people in. Every scan first goes into a queue in localStorage with
// its own UUID, then is sent; when the network is down the queue waits and is sent later.
// The server counts each UUID once, so sending a scan again never counts it twice.
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) { return; }
  var d = root.dataset;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var video = document.getElementById("camera");
  var canvas = document.getElementById("frame");
  var els = {
    start: document.getElementById("camera-start"),
    stop: document.getElementById("camera-stop"),
    message: document.getElementById("camera-message"),
    net: document.getElementById("net"),
    pending: document.getElementById("pending"),
    result: document.getElementById("result"),
    status: document.getElementById("result-status"),
    name: document.getElementById("result-name"),
    detail: document.getElementById("result-detail"),
    badge: document.getElementById("result-badge"),
    count: document.getElementById("count"),
    recent: document.getElementById("recent"),
    manual: document.getElementById("manual"),
    code: document.getElementById("manual-code")
  };

  // ---- the queue -------------------------------------------------------------------
  function loadQueue() {
    try { return JSON.parse(window.localStorage.getItem(d.queueKey) || "[]"); }
    catch (e) { return []; }
  }
  function saveQueue(queue) {
    window.localStorage.setItem(d.queueKey, JSON.stringify(queue));
    els.pending.textContent = String(queue.length);
  }
  function removeFromQueue(id) {
    saveQueue(loadQueue().filter(function (item) { return item.client_scan_id !== id; }));
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function enqueue(code) {
    var item = {
      client_scan_id: uuid(),
      code: code,
      scanned_at: new Date().toISOString(),
      session_id: d.sessionId || null
    };
    var queue = loadQueue();
    queue.push(item);
    saveQueue(queue);
    flush();
  }

  // ---- sending ---------------------------------------------------------------------
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
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(item)
    }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
      if (r.status === 400 && !json && !retried) {
        // the CSRF token expired while the page stayed open: fetch a new one, send again
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
      if (!answer.body || answer.http >= 500) {
        flushing = false;  // keep it; try again later
        return;
      }
      removeFromQueue(item.client_scan_id);
      show(answer.body, answer.http);
      flushing = false;
      flush();
    }, function () {
      setOnline(false);
      showQueued(item);
      flushing = false;
    });
  }

  // ---- showing results -------------------------------------------------------------
  function show(body, http) {
    var ok = http === 200;
    var fresh = ok && body.status === "checked_in";
    els.result.className = "tf-result card " + (fresh ? "tf-ok" : ok ? "tf-already" : "tf-error");
    els.status.textContent = fresh ? d.msgCheckedIn : ok ? d.msgAlready : body.message;
    els.name.textContent = ok ? body.name : "";
    var detail = ok ? [body.organisation, body.ticket].filter(Boolean).join(" · ") : "";
    if (ok && body.has_seat === false) { detail += (detail ? " · " : "") + d.msgNoSeat; }
    els.detail.textContent = detail;
    showBadgeLink(ok ? body.badge_url : "");
    if (navigator.vibrate) { navigator.vibrate(fresh ? 80 : [60, 60, 60]); }
    if (fresh) {
      var n = parseInt(els.count.dataset.count, 10) + 1;
      els.count.dataset.count = String(n);
      els.count.textContent = String(n);
    }
    var li = document.createElement("li");
    li.className = "list-group-item " + (fresh ? "" : "text-body-secondary");
    li.textContent = (ok ? body.name + " — " : "") + els.status.textContent;
    els.recent.insertBefore(li, els.recent.firstChild);
    while (els.recent.children.length > 8) { els.recent.removeChild(els.recent.lastChild); }
  }
  // after a check-in, the desk can print that person's badge (a PDF in a new tab)
  function showBadgeLink(url) {
    if (!els.badge) { return; }
    if (url) {
      els.badge.href = url;
      els.badge.classList.remove("d-none");
    } else {
      els.badge.removeAttribute("href");
      els.badge.classList.add("d-none");
    }
  }
  function showQueued(item) {
    showBadgeLink("");
    els.result.className = "tf-result card tf-queued";
    els.status.textContent = d.msgQueued;
    els.name.textContent = "";
    els.detail.textContent = item.code.slice(0, 12) + "…";
  }

  // ---- camera ----------------------------------------------------------------------
  var stream = null;
  var scanning = false;
  var detect = null;
  var last = { code: "", at: 0 };

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(); return; }
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function nativeDetector() {
    if (!("BarcodeDetector" in window)) { return Promise.resolve(null); }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) { return null; }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function () {
        return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      };
    }, function () { return null; });
  }
  function jsqrDetector() {
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    return loadScript(d.jsqrUrl).then(function () {
      return function () {
        var w = video.videoWidth, h = video.videoHeight;
        if (!w || !h) { return Promise.resolve(null); }
        canvas.width = w;
        canvas.height = h;
        ctx.drawImage(video, 0, 0, w, h);
        var found = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }
  function onCode(code) {
    var now = Date.now();
    if (code === last.code && now - last.at < 4000) { return; }  // the same badge still in view
    last = { code: code, at: now };
    enqueue(code);
  }
  function loop() {
    if (!scanning) { return; }
    detect().then(function (code) { if (code) { onCode(code); } }, function () { return null; })
      .then(function () { window.setTimeout(loop, 120); });
  }
  function startCamera() {
    els.message.textContent = "";
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      els.message.textContent = d.msgNoCamera;
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      })
      .then(nativeDetector)
      .then(function (native) { return native || jsqrDetector(); })
      .then(function (fn) {
        detect = fn;
        scanning = true;
        root.dataset.scanner = fn ? "ready" : "none";
        els.start.classList.add("d-none");
        els.stop.classList.remove("d-none");
        loop();
      })
      .catch(function () { els.message.textContent = d.msgCameraError; });
  }
  function stopCamera() {
    scanning = false;
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    els.start.classList.remove("d-none");
    els.stop.classList.add("d-none");
  }

  els.start.addEventListener("click", startCamera);
  els.stop.addEventListener("click", stopCamera);
  els.manual.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = els.code.value.trim();
    if (code) { enqueue(code); }
    els.code.value = "";
    els.code.focus();
  });
  // keep the kiosk page itself available offline (see static/js/checkin-sw.js)
  if ("serviceWorker" in navigator && d.swUrl) {
    navigator.serviceWorker.register(d.swUrl, { scope: d.swScope }).catch(function () { return null; });
  }
  window.addEventListener("online", flush);
  window.setInterval(flush, 5000);
  saveQueue(loadQueue());
  flush();
})();
