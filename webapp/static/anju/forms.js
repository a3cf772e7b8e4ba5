// Live counters under text fields with a maximum length ("12/200", forms/rendering.py): the count
// turns red past the limit, and the server refuses the text by name instead of cutting it.
(function () {
  "use strict";

  function length(text) {
    return Array.from(text.replace(/\r\n/g, "\n")).length;  // code points, as JSON Schema counts
  }

  function update(counter) {
    var input = document.getElementById(counter.dataset.countFor);
    if (!input) { return; }
    var max = Number(counter.dataset.max);
    var count = length(input.value);
    counter.textContent = count + "/" + max;
    counter.classList.toggle("text-danger", count > max);
  }

  function countersOf(input) {
    return document.querySelectorAll('.anju-counter[data-count-for="' + CSS.escape(input.id) + '"]');
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id) { countersOf(event.target).forEach(update); }
  });
  document.querySelectorAll(".anju-counter[data-count-for]").forEach(update);
})();
