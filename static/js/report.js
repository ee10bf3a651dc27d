// Follows a status report a worker is drawing, then reloads to offer the file.
(function () {
  const box = document.getElementById("report-progress");
  if (!box || box.dataset.finished === "1") return;
  const status = document.getElementById("report-status");
  const note = box.querySelector(".note");
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}});
      const report = await response.json();
      if (report.finished) { window.location.reload(); return; }
      status.textContent = report.status_label;
      note.textContent = report.note;
    } catch (error) {
      note.textContent = String(error);
    }
    window.setTimeout(poll, 700);
  }
  poll();
})();
