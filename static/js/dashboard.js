// Charts of the progress dashboard. Data and every label come from the server (translated there).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("progress-data").textContent);
  const labels = JSON.parse(document.getElementById("progress-labels").textContent);
  const breakdown = JSON.parse(document.getElementById("progress-breakdown").textContent);
  // Numbers as the page's language writes them: "12.345" and "27.700.000 kr." in Danish; units from the server.
  const lang = labels.language || document.documentElement.lang || "en";
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const money = new Intl.NumberFormat(lang, { style: "currency", currency: "DKK", maximumFractionDigits: 0 });
  const colours = { committed: "#0b5563", pipeline: "#e0a800", realised: "#2e8b57", target: "#b03a2e" };
  const asOf = new URLSearchParams(window.location.search).get("as_of");
  const drill = (kind, params) => {
    const query = new URLSearchParams(params);
    if (asOf) query.set("as_of", asOf);
    window.location.href = `/progress/rows/${kind}/?${query}`;
  };

  Chart.defaults.font.size = 14;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  const unitTitle = (text) => ({ display: true, text });
  const tonnesAxis = { beginAtZero: true, ticks: { callback: (v) => number.format(v) }, title: unitTitle(labels.tonnes) };
  const withUnit = (value) => `${number.format(value)} ${labels.tonnes}`;
  const tooltip = { callbacks: { label: (c) => `${c.dataset.label}: ${withUnit(c.parsed.y ?? c.parsed.x)}` } };

  for (const sector of ["industry", "agriculture"]) {
    const fig = data[sector];
    const years = Object.keys(fig.trajectory);
    new Chart(document.getElementById(`trajectory-${sector}`), {
      type: "line",
      data: {
        labels: years,
        datasets: [
          { label: labels.trajectory, data: years.map((y) => fig.trajectory[y]), borderColor: colours.committed,
            backgroundColor: colours.committed, fill: false, tension: 0, pointRadius: 5 },
          { label: labels.target_path, data: years.map((y) => fig.target_path[y] ?? null),
            borderColor: colours.target, borderDash: [6, 6], pointRadius: 0, fill: false },
        ],
      },
      options: {
        scales: { y: tonnesAxis }, plugins: { tooltip },
        onClick: (_e, els) => els.length && els[0].datasetIndex === 0 &&
          drill("measures", { sector, bucket: "committed", up_to_year: years[els[0].index] }),
      },
    });

    const signedYears = Object.keys(fig.partnerships_signed);
    const signed = signedYears.map((y) => fig.partnerships_signed[y]);
    const datasets = [
      { type: "bar", label: labels.signed, data: signed.map((s) => s.count), backgroundColor: colours.committed },
      { type: "line", label: labels.annual_target, data: signed.map((s) => s.target), borderColor: colours.target,
        borderDash: [6, 6], pointRadius: 0 },
    ];
    if (signed.some((s) => s.target_max)) {
      datasets.push({ type: "line", label: labels.annual_target_max, data: signed.map((s) => s.target_max),
        borderColor: colours.target, borderDash: [2, 4], pointRadius: 0 });
    }
    new Chart(document.getElementById(`signed-${sector}`), {
      data: { labels: signedYears, datasets },
      options: {
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        onClick: (_e, els) => els.length && drill("partnerships", { sector, year: signedYears[els[0].index] }),
      },
    });

    const byType = breakdown[sector];
    const types = Object.keys(byType);
    new Chart(document.getElementById(`types-${sector}`), {
      type: "bar",
      data: {
        labels: types.map((t) => labels.measure_types[t] || t),
        datasets: ["committed", "pipeline"].map((bucket) => ({
          label: labels[bucket], data: types.map((t) => byType[t][bucket]),
          backgroundColor: colours[bucket],
        })),
      },
      options: {
        indexAxis: "y", scales: { x: { ...tonnesAxis, stacked: true }, y: { stacked: true } },
        plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${withUnit(c.parsed.x)}` } } },
        onClick: (_e, els) => els.length && drill("measures", {
          sector, measure_type: types[els[0].index], bucket: els[0].datasetIndex ? "pipeline" : "committed" }),
      },
    });
  }

  const perYear = (id, indicator, label, kind, format = number) => {
    const years = Object.keys(indicator.by_year);
    new Chart(document.getElementById(id), {
      data: {
        labels: years,
        datasets: [
          { type: "bar", label, data: years.map((y) => indicator.by_year[y]), backgroundColor: colours.committed },
          { type: "line", label: labels.annual_target, data: years.map(() => indicator.target_per_year),
            borderColor: colours.target, borderDash: [6, 6], pointRadius: 0 },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0, callback: (v) => format.format(v) } } },
        plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${format.format(c.parsed.y)}` } } },
        onClick: (_e, els) => els.length && drill(kind, { year: years[els[0].index] }) },
    });
  };
  perYear("international-chart", data.international_partnerships, labels.international, "international");
  perYear("funding-chart", data.external_funding, labels.funding, "funding", money);
})();
