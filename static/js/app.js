// Small behaviours shared by every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Forms with data-once disable their submit buttons after the first submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-once")) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    }
  });
  // A checkbox with data-tick-all="NAME" ticks or clears every checkbox NAME of its form;
  // it shows "some" (indeterminate) when only part of them are ticked.
  function boxes(all) {
    return all.form ? all.form.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-tick-all") + '"]') : [];
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-tick-all")) {
      boxes(target).forEach(function (box) { box.checked = target.checked; });
      target.indeterminate = false;
      return;
    }
    if (!target.form || target.type !== "checkbox") { return; }
    var all = target.form.querySelector('[data-tick-all="' + target.name + '"]');
    if (!all) { return; }
    var list = Array.prototype.slice.call(boxes(all));
    var ticked = list.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
  });
})();
