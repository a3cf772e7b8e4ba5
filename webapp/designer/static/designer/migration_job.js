/* The migration job page: polls the job (data-job-url) while it runs, shows its progress and
 * reloads the page when it is done. Every string shown comes from the page (data-text-counts). */
(function () {
  "use strict";

  function pollJob(node) {
    var url = node.getAttribute("data-job-url");
    var bar = node.querySelector(".progress-bar");
    var counts = node.querySelector("[data-role='counts']");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          var share = job.total ? Math.round(job.done * 100 / job.total) : 100;
          bar.style.width = share + "%";
          bar.textContent = share + "%";
          bar.setAttribute("aria-valuenow", String(share));
          counts.textContent = node.getAttribute("data-text-counts")
            .replace("%(done)s", job.done).replace("%(total)s", job.total)
            .replace("%(migrated)s", job.migrated).replace("%(skipped)s", job.skipped);
          node.setAttribute("data-status", job.status);
          if (job.status === "done" || job.status === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(tick, 1000);
          }
        });
    }
    tick();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-job-url][data-running='true']"), pollJob);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
