// The billing run page while the run computes: ask the JSON API every two seconds how far it is,
// move the bar, and reload the page (the preview) once the run has left queued/running.
(function () {
  "use strict";
  const box = document.getElementById("run-progress-box");
  if (!box) return;
  const bar = box.querySelector(".progress-bar");
  const text = document.getElementById("run-progress-text");
  async function poll() {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const run = await response.json();
        if (run.status !== "queued" && run.status !== "running") {
          window.location.reload();
          return;
        }
        bar.style.width = run.progress + "%";
        bar.textContent = run.progress + "%";
        box.querySelector(".progress").setAttribute("aria-valuenow", run.progress);
        text.textContent = text.textContent.replace(/\d+(\D+)\d+/, run.done_rooms + "$1" + run.total_rooms);
      }
    } catch (error) {
      // a network hiccup: try again at the next tick
    }
    window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 2000);
})();
