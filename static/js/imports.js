// Follows a running import through its status endpoint, then reloads to show the report.
(function () {
  const box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "1") return;
  const bar = box.querySelector("progress");
  const phase = box.querySelector(".phase");
  const count = box.querySelector(".count");
  const note = box.querySelector(".note");
  const format = new Intl.NumberFormat(document.documentElement.lang);
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}});
      const run = await response.json();
      if (run.finished) { window.location.reload(); return; }
      phase.textContent = phase.dataset[run.phase] || run.status_label;
      note.textContent = run.note;
      if (run.rows_total) {
        bar.max = run.rows_total;
        bar.value = run.rows_done;
        count.textContent = format.format(run.rows_done) + " / " + format.format(run.rows_total);
      } else {
        bar.removeAttribute("value");  // indeterminate while the file is read
      }
    } catch (error) {
      phase.textContent = String(error);
    }
    window.setTimeout(poll, 500);
  }
  poll();
})();
