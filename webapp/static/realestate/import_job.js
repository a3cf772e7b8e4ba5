// The import job page: poll /api/imports/<id>/ every second while the job runs, move the
// progress bar, and reload the page when the job has finished (the server renders the result).
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box || box.dataset.active !== "1") return;
  var labels = JSON.parse(document.getElementById("import-status-labels").textContent);
  var bar = document.querySelector("#import-progress .progress-bar");
  var wrap = document.getElementById("import-progress");
  var status = document.getElementById("import-status");
  var failures = 0;

  function show(job) {
    var percent = job.progress;
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    wrap.setAttribute("aria-valuenow", String(percent));
    var counts = job.total_rows ? " " + job.processed_rows + " / " + job.total_rows : "";
    status.textContent = (labels[job.status] || job.status) + "…" + counts;
  }

  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        if (job.finished) {
          window.location.reload();
          return;
        }
        show(job);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        if (failures < 30) window.setTimeout(poll, 2000);
      });
  }
  window.setTimeout(poll, 1000);
})();
