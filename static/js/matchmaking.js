// Matcher run page: poll the job's progress and open the review when it is done.
(function () {
  "use strict";
  var box = document.getElementById("mm-job");
  if (!box) { return; }
  var bar = document.getElementById("mm-job-bar");
  function show(data) {
    var step = Math.floor(data.progress / 5) * 5;
    bar.className = "progress-bar mm-progress-" + step;
    bar.textContent = data.progress + "%";
    document.getElementById("mm-job-status").textContent = data.status_label || data.status;
    document.getElementById("mm-job-message").textContent = data.message || "";
    document.getElementById("mm-job-error").textContent = data.error || "";
  }
  function poll() {
    fetch(box.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(data);
        if (data.status === "done") { window.location.href = box.dataset.doneUrl; }
        else if (data.status !== "failed") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (box.dataset.status === "queued" || box.dataset.status === "running") { poll(); }
})();
