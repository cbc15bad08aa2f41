// Programme pages: colour each session card by its track and copy the calendar address.
(function () {
  "use strict";
  var cards = document.querySelectorAll("[data-track-color]");
  Array.prototype.forEach.call(cards, function (card) {
    var colour = card.getAttribute("data-track-color");
    if (/^#[0-9a-fA-F]{6}$/.test(colour)) {
      card.style.borderLeftColor = colour;
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input) { return; }
    input.select();
    var done = function () { button.textContent = button.getAttribute("data-copied"); };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    } else {
      try { document.execCommand("copy"); done(); } catch (e) { /* leave it selected */ }
    }
  });
})();
