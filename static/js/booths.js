// Booth map: show a booth's details on hover or keyboard focus; filters submit on change.
(function () {
  "use strict";
  var info = document.getElementById("booth-info");
  var active = null;

  function show(booth) {
    if (!info || !booth) { return; }
    if (active) { active.classList.remove("is-active"); }
    active = booth;
    booth.classList.add("is-active");
    var d = booth.dataset;
    info.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = d.code;
    info.appendChild(strong);
    info.appendChild(document.createTextNode(" · " + d.zone + " · " + d.size + " · " + d.price + " · " + d.state));
  }

  document.addEventListener("mouseover", function (event) {
    var booth = event.target.closest && event.target.closest("a.tf-booth");
    if (booth) { show(booth); }
  });
  document.addEventListener("focusin", function (event) {
    var booth = event.target.closest && event.target.closest("a.tf-booth");
    if (booth) { show(booth); }
  });

  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
