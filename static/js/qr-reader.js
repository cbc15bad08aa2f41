// The badge QR reader: the camera's frames read by BarcodeDetector where the browser has
// it, else by the jsQR library shipped in static/vendor (the check-in kiosk reads badges
// the same way). TechfestQR.start(options) opens the camera and calls options.onCode(text)
// for each code seen (the same badge held in view counts once every 4 seconds); it
// answers a promise of a stop() function, or rejects when there is no camera.
(function () {
  "use strict";
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
  function nativeDetector(video) {
    if (!("BarcodeDetector" in window)) { return Promise.resolve(null); }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) { return null; }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function () {
        return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      };
    }, function () { return null; });
  }
  function jsqrDetector(video, canvas, jsqrUrl) {
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    return loadScript(jsqrUrl).then(function () {
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
  function start(options) {
    var video = options.video;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject(new Error("no-camera"));
    }
    var stream = null, scanning = false, detect = null, last = { code: "", at: 0 };
    function loop() {
      if (!scanning) { return; }
      detect().then(function (code) {
        var now = Date.now();
        if (code && !(code === last.code && now - last.at < 4000)) {
          last = { code: code, at: now };
          options.onCode(code);
        }
      }, function () { return null; }).then(function () { window.setTimeout(loop, 120); });
    }
    function stop() {
      scanning = false;
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      stream = null;
    }
    return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) { stream = s; video.srcObject = s; return video.play(); })
      .then(function () { return nativeDetector(video); })
      .then(function (native) { return native || jsqrDetector(video, options.canvas, options.jsqrUrl); })
      .then(function (fn) { detect = fn; scanning = true; loop(); return stop; });
  }
  window.TechfestQR = { start: start };
})();
