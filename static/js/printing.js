// Organiser printing page: follow a bulk print job until its PDF can be downloaded.
(function () {
  "use strict";
  var box = document.getElementById("print-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var state = box.querySelector(".tf-print-state");
  var result = box.querySelector(".tf-print-result");
  var text = function (name) { return box.getAttribute("data-text-" + name) || ""; };

  function show(job) {
    bar.value = job.progress;
    bar.textContent = job.progress + "%";
    if (job.status === "done") {
      box.classList.add("is-done");
      state.textContent = job.up_to_date ? text("up-to-date") : text("done");
      result.textContent = "";
      if (job.download_url) {
        var link = document.createElement("a");
        link.href = job.download_url;
        link.className = "btn btn-success btn-sm";
        link.textContent = text("download");
        result.appendChild(link);
        if (job.pages) {
          var pages = document.createElement("span");
          pages.className = "ms-2 text-muted small";
          pages.textContent = job.pages + " " + text("pages");
          result.appendChild(pages);
        }
        if (job.skipped) {
          var skipped = document.createElement("p");
          skipped.className = "mt-2 mb-0 small tf-print-skipped";
          skipped.textContent = text("skipped").replace("{n}", job.skipped);
          result.appendChild(skipped);
        }
      }
      return true;
    }
    if (job.status === "failed") {
      box.classList.add("is-failed");
      state.textContent = text("failed") + " " + job.error;
      return true;
    }
    state.textContent = (job.status === "queued" ? text("queued") : text("running")) +
      (job.message ? " " + job.message : "");
    return false;
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job && show(job)) { return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
