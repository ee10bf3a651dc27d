// The planners' map: MapLibre GL over our vector tiles. Filters apply at once (client-side, on the
// attributes the tiles carry); the view and the filters live in the URL so a map can be shared.
import * as maplibreModule from "../vendor/maplibre/maplibre-gl.mjs";

const maplibregl = maplibreModule.default ?? maplibreModule;
const config = JSON.parse(document.getElementById("map-config").textContent);
const L = config.labels;

// the colours are declared once on the server (publish/symbols.py), as the QGIS project draws them too
const C = config.colours;
const SITE_COLOURS = C.sites;
const PARTNERSHIP_COLOURS = C.partnerships;
const PIPES = ["hydrogen_pipe", "co2_pipe"];
const match = (property, colours, fallback) =>
  ["match", ["get", property], ...Object.entries(colours).flat(), fallback];
// planning status is drawn by opacity (paler the earlier the stage) and a dark outline for rejected sites
const STATUS_OPACITY = { idea: 0.35, screening: 0.45, local_plan: 0.6, environmental_assessment: 0.6, approved: 0.8,
                         under_construction: 0.9, operating: 1, rejected: 0.3 };
const REJECTED_OUTLINE = "#1d2b36";
const statusOpacity = (scale = 1) =>
  ["match", ["get", "planning_status"], ...Object.entries(STATUS_OPACITY).flatMap(([k, v]) => [k, v * scale]), scale];
const rejected = (yes, no) => ["case", ["==", ["get", "planning_status"], "rejected"], yes, no];
const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
const lang = document.documentElement.lang || undefined;
const number = (value, digits = 0) =>
  Number(value).toLocaleString(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
const money = (value) =>
  Number(value).toLocaleString(lang, { style: "currency", currency: "DKK", maximumFractionDigits: 0 });
const escape = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// ---- state from the URL -------------------------------------------------------------------
const params = new URLSearchParams(window.location.search);
const listParam = (name, all) => (params.has(name) ? params.get(name).split(",").filter(Boolean) : all);
const ALL_LAYERS = ["sites", "partnerships", "symbioses", ...(config.heat ? ["heat"] : []), "boundary"];
const state = {
  layers: listParam("layers", ALL_LAYERS),
  types: listParam("type", Object.keys(config.siteTypes)),
  siteStatus: listParam("site_status", Object.keys(config.siteStatuses)),
  partnershipStatus: listParam("status", Object.keys(config.partnershipStatuses)),
  sector: params.get("sector") || "",
  year: params.get("year") || "",
  moving: null,
};

function saveState() {
  const query = new URLSearchParams();
  const full = { type: Object.keys(config.siteTypes), site_status: Object.keys(config.siteStatuses),
                 status: Object.keys(config.partnershipStatuses), layers: ALL_LAYERS };
  const current = { type: state.types, site_status: state.siteStatus, status: state.partnershipStatus, layers: state.layers };
  for (const [key, values] of Object.entries(current)) {
    if (values.length !== full[key].length) query.set(key, values.join(","));
  }
  if (state.sector) query.set("sector", state.sector);
  if (state.year) query.set("year", state.year);
  const search = query.toString();
  history.replaceState(null, "", `${window.location.pathname}${search ? "?" + search : ""}${window.location.hash}`);
}

// ---- the map ------------------------------------------------------------------------------
const tiles = (layer) => [`${window.location.origin}/tiles/${layer}/{z}/{x}/{y}.pbf`];
const sources = {
  sites: { type: "vector", tiles: tiles("sites"), minzoom: 6, maxzoom: 16 },
  partnerships: { type: "vector", tiles: tiles("partnerships"), minzoom: 6, maxzoom: 16 },
  symbioses: { type: "vector", tiles: tiles("symbioses"), minzoom: 6, maxzoom: 16 },
  boundary: { type: "geojson", data: `${window.location.origin}/map/boundary.geojson`,
              attribution: escape(config.boundaryAttribution) },
};
if (config.heat) {
  sources.heatNetworks = { type: "geojson", data: `${window.location.origin}/api/exports/heating-networks.geojson` };
  sources.heatSources = { type: "geojson", data: `${window.location.origin}/api/exports/heat-sources.geojson` };
  sources.opportunities = { type: "geojson", data: `${window.location.origin}/api/heat-opportunities/` };
}
const layers = [{ id: "background", type: "background", paint: { "background-color": "#eef2f3" } }];
if (config.basemap.tiles) {
  sources.basemap = { type: "raster", tiles: [config.basemap.tiles], tileSize: 256,
                      attribution: escape(config.basemap.attribution) };
  layers.push({ id: "basemap", type: "raster", source: "basemap", paint: { "raster-opacity": 0.85 } });
}
layers.push(
  { id: "boundary-line", type: "line", source: "boundary", paint: { "line-color": C.boundary, "line-width": 2, "line-dasharray": [3, 2] } },
  { id: "sites-area", type: "fill", source: "sites", "source-layer": "sites",
    filter: ["==", ["geometry-type"], "Polygon"],
    paint: { "fill-color": match("site_type", SITE_COLOURS, C.other), "fill-opacity": statusOpacity(0.6),
             "fill-outline-color": rejected(REJECTED_OUTLINE, C.areaOutline) } },
  { id: "sites-line", type: "line", source: "sites", "source-layer": "sites",
    filter: ["==", ["geometry-type"], "LineString"],
    paint: { "line-color": match("site_type", SITE_COLOURS, C.other), "line-width": 3.5, "line-opacity": statusOpacity() } },
  { id: "symbioses-line", type: "line", source: "symbioses", "source-layer": "symbioses",
    paint: { "line-color": C.symbiosis, "line-width": 4, "line-dasharray": [2, 1] } },
  { id: "sites-point", type: "circle", source: "sites", "source-layer": "sites",
    filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-color": match("site_type", SITE_COLOURS, C.other), "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 4, 14, 8],
             "circle-opacity": statusOpacity(), "circle-stroke-color": rejected(REJECTED_OUTLINE, "#ffffff"),
             "circle-stroke-width": rejected(2, 1.5) } },
  { id: "partnerships-point", type: "circle", source: "partnerships", "source-layer": "partnerships",
    paint: { "circle-color": "#ffffff", "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 4, 14, 8],
             "circle-stroke-color": match("status", PARTNERSHIP_COLOURS, C.other), "circle-stroke-width": 3 } },
);
if (config.heat) {
  layers.splice(2, 0,
    { id: "heat-network-area", type: "fill", source: "heatNetworks", filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": C.heatArea, "fill-opacity": 0.3, "fill-outline-color": C.heat } },
    { id: "heat-network-line", type: "line", source: "heatNetworks", filter: ["==", ["geometry-type"], "LineString"],
      paint: { "line-color": C.heat, "line-width": 3 } },
    { id: "opportunity-line", type: "line", source: "opportunities", filter: ["==", ["geometry-type"], "LineString"],
      paint: { "line-color": C.heat, "line-width": 2.5, "line-dasharray": [1, 1.5] } });
  layers.push(
    { id: "heat-source-point", type: "circle", source: "heatSources",
      paint: { "circle-color": C.heat, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5,
               "circle-radius": ["interpolate", ["linear"], ["get", "surplus_heat_mwh_per_yr"], 0, 4, 60000, 12] } });
}
const SITE_GEOMETRY = { "sites-area": "Polygon", "sites-line": "LineString", "sites-point": "Point" };
const LAYER_GROUPS = { sites: ["sites-area", "sites-line", "sites-point"], partnerships: ["partnerships-point"],
                       symbioses: ["symbioses-line"], boundary: ["boundary-line"],
                       ...(config.heat ? { heat: ["heat-network-area", "heat-network-line", "opportunity-line",
                                                   "heat-source-point"] } : {}) };

const map = new maplibregl.Map({
  container: "map",
  style: { version: 8, sources, layers },
  center: [9.93, 57.02], zoom: 9.3, hash: "view", attributionControl: { compact: false },
  locale: config.mapLocale,  // MapLibre's own buttons in the page's language
});
map.addControl(new maplibregl.NavigationControl(), "top-right");
map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
window.registryMap = map;  // for the browser tests and for curious planners in the console

function applyFilters() {
  const inList = (property, values) => ["in", ["get", property], ["literal", values]];
  const siteFilter = ["all", inList("site_type", state.types), inList("planning_status", state.siteStatus)];
  for (const id of LAYER_GROUPS.sites) {
    map.setFilter(id, ["all", ["==", ["geometry-type"], SITE_GEOMETRY[id]], siteFilter]);
  }
  const partnershipFilter = ["all", inList("status", state.partnershipStatus)];
  if (state.sector) partnershipFilter.push(["==", ["get", "sector"], state.sector]);
  if (state.year) partnershipFilter.push(["==", ["get", "year_signed"], Number(state.year)]);
  map.setFilter("partnerships-point", partnershipFilter);
  for (const [group, ids] of Object.entries(LAYER_GROUPS)) {
    for (const id of ids) map.setLayoutProperty(id, "visibility", state.layers.includes(group) ? "visible" : "none");
  }
  saveState();
  updateDownloads();
  scheduleFeaturesInView();
}

// ---- downloads: every export of the layers shown, filtered as the map is ---------------------------
// The API's list filters under their API names (repeated for several values); a filter with every value
// is left out, one with none leaves nothing to download.
const choices = (name, selected, all) =>
  selected.length === Object.keys(all).length ? [] : selected.map((value) => [name, value]);
const EXPORT_FILTERS = {
  sites: () => (state.types.length && state.siteStatus.length
    ? [...choices("type", state.types, config.siteTypes), ...choices("status", state.siteStatus, config.siteStatuses)]
    : null),
  partnerships: () => (state.partnershipStatus.length
    ? [...choices("status", state.partnershipStatus, config.partnershipStatuses),
       ...(state.sector ? [["sector", state.sector]] : []), ...(state.year ? [["year_signed", state.year]] : [])]
    : null),
};
function updateDownloads() {
  let shown = 0;
  for (const item of document.querySelectorAll("#map-downloads [data-export-layer]")) {
    const filters = (EXPORT_FILTERS[item.dataset.exportLayer] ?? (() => []))();
    item.hidden = !state.layers.includes(item.dataset.layerGroup) || filters === null;
    if (item.hidden) continue;
    shown += 1;
    for (const link of item.querySelectorAll("a")) {
      const url = new URL(link.href, window.location.origin);
      const query = new URLSearchParams(filters);
      if (link.dataset.dialect) query.set("dialect", link.dataset.dialect);
      url.search = query.toString();
      link.href = url.pathname + url.search;
    }
  }
  document.getElementById("map-downloads-none").hidden = shown > 0;
}

// ---- the panel: filters that are the legend too -----------------------------------------------------
// Every checkbox group has "only this" on each item and "Show all" on the group.
const GROUP_VALUES = { types: () => Object.keys(config.siteTypes), siteStatus: () => Object.keys(config.siteStatuses),
                       partnershipStatus: () => Object.keys(config.partnershipStatuses), layers: () => ALL_LAYERS };
function syncGroup(container, key) {
  for (const input of container.querySelectorAll("input[type=checkbox]")) input.checked = state[key].includes(input.value);
}
function onlyAndAll(container, key) {
  for (const label of container.querySelectorAll(":scope > label, :scope > .check-row > label")) {
    const input = label.querySelector("input[type=checkbox]");
    const row = label.parentElement.classList.contains("check-row") ? label.parentElement : document.createElement("div");
    if (!row.isConnected) { row.className = "check-row"; label.replaceWith(row); row.append(label); }
    const only = document.createElement("button");
    only.type = "button";
    only.className = "only";
    only.textContent = L.onlyThis;
    const name = [...label.childNodes].filter((n) => !n.classList?.contains("muted")).map((n) => n.textContent).join("");
    only.setAttribute("aria-label", format(L.onlyThisFor, { name: name.trim() }));
    only.addEventListener("click", () => { state[key] = [input.value]; syncGroup(container, key); applyFilters(); });
    row.append(only);
  }
  const actions = document.createElement("div");
  actions.className = "group-actions";
  const all = document.createElement("button");
  all.type = "button";
  all.className = "all";
  all.textContent = L.showAll;
  all.addEventListener("click", () => { state[key] = GROUP_VALUES[key](); syncGroup(container, key); applyFilters(); });
  actions.append(all);
  const legend = container.querySelector(":scope > legend");
  if (legend) legend.after(actions); else container.prepend(actions);
}
const toggle = (list, value, on) => (on ? [...new Set([...list, value])] : list.filter((v) => v !== value));
function checkboxes(containerId, options, key, paintSwatch) {
  const container = document.getElementById(containerId);
  for (const [value, label] of Object.entries(options)) {
    const item = document.createElement("label");
    item.innerHTML = `<input type="checkbox" value="${escape(value)}" ${state[key].includes(value) ? "checked" : ""}>
      <span></span>${escape(label)}`;
    // set through the DOM, not a style attribute: the Content-Security-Policy allows no inline style
    paintSwatch(item.querySelector("span"), value);
    item.querySelector("input").addEventListener("change", (event) => {
      state[key] = toggle(state[key], value, event.target.checked);
      applyFilters();
    });
    container.append(item);
  }
  onlyAndAll(container, key);
}
const siteShape = (type) => (PIPES.includes(type) ? "line" : type === "solar" ? "area" : "dot");
checkboxes("filter-type", config.siteTypes, "types", (span, type) => {
  span.className = `swatch-${siteShape(type)}`;
  span.style[siteShape(type) === "line" ? "borderColor" : "background"] = SITE_COLOURS[type] || C.other;
});
checkboxes("filter-site-status", config.siteStatuses, "siteStatus", (span, status) => {
  span.className = `swatch-dot${status === "rejected" ? " rejected" : ""}`;
  span.style.background = C.other;
  span.style.opacity = STATUS_OPACITY[status] ?? 1;
});
checkboxes("filter-partnership-status", config.partnershipStatuses, "partnershipStatus", (span, status) => {
  span.className = "swatch-ring";
  span.style.borderColor = PARTNERSHIP_COLOURS[status] || C.other;
});
const layerGroup = document.getElementById("filter-layers");
for (const input of layerGroup.querySelectorAll("input[name=layer]")) {
  input.checked = state.layers.includes(input.value);
  input.addEventListener("change", () => { state.layers = toggle(state.layers, input.value, input.checked); applyFilters(); });
}
onlyAndAll(layerGroup, "layers");
// the swatches of the other layers, in the colours the map draws with
const SWATCH_COLOURS = { partnership: PARTNERSHIP_COLOURS.signed, symbiosis: C.symbiosis, heat: C.heat,
                         heatArea: C.heatArea, boundary: C.boundary };
for (const span of document.querySelectorAll("#map-panel [data-swatch]")) {
  const colour = SWATCH_COLOURS[span.dataset.swatch];
  if (span.classList.contains("swatch-line") || span.classList.contains("swatch-ring")) span.style.borderColor = colour;
  else span.style.background = colour;
}

// ---- the drawer: beside the map on a wide screen, over it on a narrow one --------------------------------
const layout = document.getElementById("map-layout");
const drawerToggle = document.getElementById("map-drawer-toggle");
const narrow = window.matchMedia("(max-width: 60rem)");
function setDrawer(open, focusBack = false) {
  layout.classList.toggle("drawer-open", open);
  drawerToggle.setAttribute("aria-expanded", String(open));
  if (focusBack) drawerToggle.focus();
}
setDrawer(!narrow.matches);
drawerToggle.addEventListener("click", () => setDrawer(!layout.classList.contains("drawer-open")));
document.getElementById("map-panel").addEventListener("keydown", (event) => {
  if (event.key === "Escape" && narrow.matches) setDrawer(false, true);
});
const sector = document.getElementById("filter-sector");
for (const [value, label] of Object.entries(config.sectors)) sector.add(new Option(label, value, false, value === state.sector));
sector.addEventListener("change", () => { state.sector = sector.value; applyFilters(); });
const year = document.getElementById("filter-year");
for (let y = new Date().getFullYear(); y >= 2023; y--) year.add(new Option(String(y), String(y), false, String(y) === state.year));
year.addEventListener("change", () => { state.year = year.value; applyFilters(); });
updateDownloads();  // the links carry the URL's filters even before (or without) the map

// ---- popups and moving a site ---------------------------------------------------------------
const message = document.getElementById("map-message");
function say(text, isError = false) {
  message.textContent = text;
  message.className = isError ? "error" : "";
  message.hidden = !text;
}

function popupHtml(feature) {
  const p = feature.properties;
  const layer = feature.layer.id;
  if (layer.startsWith("sites")) {
    const outside = p.municipality_code !== config.homeMunicipality ? ` <em>(${escape(L.outside)})</em>` : "";
    const move = config.canEdit && layer === "sites-point"
      ? `<button type="button" class="move-site" data-id="${escape(p.id)}">${escape(L.move)}</button>` : "";
    return `<h3>${escape(p.name)}</h3><dl>
      <dt>${escape(L.type)}</dt><dd>${escape(config.siteTypes[p.site_type] || p.site_type)}</dd>
      <dt>${escape(L.status)}</dt><dd>${escape(config.siteStatuses[p.planning_status] || p.planning_status)}${outside}</dd>
      <dt>${escape(L.capacity)}</dt><dd>${escape(p.capacity == null ? "–" : number(p.capacity, 1).replace(/[,.]0$/, ""))} ${escape(p.capacity_unit || "")}</dd></dl>
      <a href="/admin/registry/energysite/${encodeURIComponent(p.id)}/change/">${escape(L.open)}</a> ${move}`;
  }
  if (layer.startsWith("partnerships")) {
    return `<h3>${escape(p.title)}</h3><dl>
      <dt>${escape(L.organisation)}</dt><dd>${escape(p.organisation_name)} (${escape(p.site_name)})</dd>
      <dt>${escape(L.sector)}</dt><dd>${escape(config.sectors[p.sector] || p.sector)}</dd>
      <dt>${escape(L.status)}</dt><dd>${escape(config.partnershipStatuses[p.status] || p.status)}</dd>
      <dt>${escape(L.signed)}</dt><dd>${escape(p.year_signed ?? "–")}</dd></dl>
      <a href="/admin/partnerships/climatepartnership/${encodeURIComponent(p.id)}/change/">${escape(L.open)}</a>`;
  }
  if (layer === "opportunity-line") {
    const propose = config.canPropose
      ? `<button type="button" class="propose-symbiosis" data-id="${escape(p.source_id)}">${escape(L.propose)}</button>` : "";
    return `<h3>#${escape(p.rank)} ${escape(p.source_name)}</h3><dl>
      <dt>${escape(L.network)}</dt><dd>${escape(p.network_name)}</dd>
      <dt>${escape(L.distance)}</dt><dd>${escape(number(p.distance_m))} m</dd>
      <dt>${escape(L.pipeCost)}</dt><dd>${escape(money(p.pipe_cost_dkk))}</dd>
      <dt>${escape(L.heat)}</dt><dd>${escape(number(p.heat_delivered_mwh_per_yr))} ${escape(L.mwhPerYear)}</dd>
      <dt>${escape(L.co2e)}</dt><dd>${escape(number(p.co2e_displaced_t_per_yr, 1))} ${escape(L.tonnesPerYear)}</dd></dl>
      <a href="/heat/opportunities/">${escape(L.allOpportunities)}</a> ${propose}`;
  }
  if (layer === "heat-source-point") {
    return `<h3>${escape(p.name)}</h3><dl>
      <dt>${escape(L.heat)}</dt><dd>${escape(number(p.surplus_heat_mwh_per_yr))} ${escape(L.mwhPerYear)}</dd>
      <dt>${escape(L.temperature)}</dt><dd>${escape(p.temperature_c)} °C</dd></dl>
      <a href="/admin/registry/heatsource/${encodeURIComponent(p.id)}/change/">${escape(L.open)}</a>`;
  }
  if (layer.startsWith("heat-network")) {
    return `<h3>${escape(p.name)}</h3><dl><dt>${escape(L.temperature)}</dt><dd>${escape(p.supply_temperature_c ?? "–")} °C</dd></dl>`;
  }
  return `<h3>${escape(p.name)}</h3><dl>
    <dt>${escape(L.network)}</dt><dd>${escape(p.receiving_network)}</dd>
    <dt>${escape(L.capacity)}</dt><dd>${escape(p.capacity_mw == null ? "–" : number(p.capacity_mw, 1))} MW</dd>
    <dt>${escape(L.heat)}</dt><dd>${escape(p.heat_mwh_per_yr == null ? "–" : number(p.heat_mwh_per_yr))} ${escape(L.mwhPerYear)}</dd>
    <dt>${escape(L.status)}</dt><dd>${escape(config.symbiosisStatuses[p.status] || p.status)}</dd></dl>
    <a href="/admin/registry/heatsymbiosis/${encodeURIComponent(p.id)}/change/">${escape(L.open)}</a>`;
}

const clickable = ["heat-source-point", "opportunity-line", "sites-point", "sites-line", "sites-area",
                   "partnerships-point", "symbioses-line", "heat-network-line", "heat-network-area"];
let popup = null;
// Opens the popup of a feature; from the keyboard (the list of features in view) it takes the focus, and gives it
// back to where it came from when it closes.
function openPopup(feature, lngLat, opener = null) {
  popup?.remove();
  popup = new maplibregl.Popup({ maxWidth: "22rem", focusAfterOpen: false }).setLngLat(lngLat)
    .setHTML(popupHtml(feature)).addTo(map);
  const element = popup.getElement();
  const content = element.querySelector(".maplibregl-popup-content");
  content.setAttribute("role", "dialog");
  content.setAttribute("aria-label", feature.properties.name ?? feature.properties.title ?? feature.properties.source_name ?? "");
  content.tabIndex = -1;
  const mine = popup;
  element.querySelector(".move-site")?.addEventListener("click", (e) => {
    state.moving = e.target.dataset.id;
    mine.remove();
    map.getCanvas().style.cursor = "crosshair";
    say(L.clickNew);
  });
  element.querySelector(".propose-symbiosis")?.addEventListener("click", async (e) => {
    mine.remove();
    await proposeSymbiosis(e.target.dataset.id);
  });
  element.addEventListener("keydown", (event) => { if (event.key === "Escape") mine.remove(); });
  if (opener) {
    content.focus();
    mine.on("close", () => (opener.isConnected && opener.offsetParent ? opener : drawerToggle).focus());
  }
  if (feature.layer.id.startsWith("sites") && config.canSeeMeasures) sitePartnerships(feature.properties.id, content);
  return mine;
}

// the partnerships whose measures point at a site, and the tonnes they add: committed, and in the pipeline
async function sitePartnerships(siteId, content) {
  const response = await fetch(`/map/sites/${encodeURIComponent(siteId)}/partnerships`, { credentials: "same-origin" });
  if (!response.ok) return;
  const body = await response.json();
  const section = document.createElement("section");
  section.className = "site-partnerships";
  const t = escape(L.tonnesPerYear);
  const items = body.partnerships.map((p) => `<li><a href="/admin/partnerships/climatepartnership/${encodeURIComponent(p.id)}/change/">${escape(p.title)}</a>
      (${escape(p.status_label)}${p.committed ? "" : `, ${escape(L.pipeline)}`})<ul>${p.measures.map((m) =>
        `<li>${escape(m.title)}: <span data-tonnes="${escape(m.tonnes)}">${escape(number(m.tonnes, 1))}</span> ${t}</li>`).join("")}</ul></li>`);
  section.innerHTML = body.partnerships.length
    ? `<h4>${escape(L.partnershipsHere)}</h4><ul>${items.join("")}</ul>
       <p><strong>${escape(L.committedTonnes)}:</strong> <span class="site-tonnes" data-value="${escape(body.committed_t)}">${escape(number(body.committed_t, 1))}</span> ${t}<br>
       <strong>${escape(L.pipelineTonnes)}:</strong> <span class="site-pipeline-tonnes" data-value="${escape(body.pipeline_t)}">${escape(number(body.pipeline_t, 1))}</span> ${t}</p>`
    : `<p class="muted">${escape(L.noPartnershipsHere)}</p>`;
  const link = content.querySelector(":scope > a");
  if (link) link.before(section); else content.append(section);
}

map.on("click", (event) => {
  if (state.moving) return moveSite(state.moving, event.lngLat);
  const [feature] = map.queryRenderedFeatures(event.point, { layers: clickable.filter((id) => map.getLayer(id)) });
  if (feature) openPopup(feature, event.lngLat);
});
for (const id of clickable) {
  map.on("mouseenter", id, () => { if (!state.moving) map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", id, () => { if (!state.moving) map.getCanvas().style.cursor = ""; });
}
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.moving) { state.moving = null; map.getCanvas().style.cursor = ""; say(""); }
});

const csrfToken = () => document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] || "";
async function moveSite(id, lngLat) {
  state.moving = null;
  map.getCanvas().style.cursor = "";
  const response = await fetch(`/api/sites/${encodeURIComponent(id)}/`, {
    method: "PATCH", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
    body: JSON.stringify({ type: "Feature", properties: {},
                           geometry: { type: "Point", coordinates: [lngLat.lng, lngLat.lat] } }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const errors = Object.values(body).flat().join(" ");
    say(errors || response.statusText, true);
    return;
  }
  // new tile URLs make MapLibre fetch again; the server never serves a tile older than the edit
  map.getSource("sites").setTiles(tiles("sites").map((url) => `${url}?v=${Date.now()}`));
  say(L.moved);
}

async function proposeSymbiosis(sourceId) {
  const response = await fetch(`/api/heat-opportunities/${encodeURIComponent(sourceId)}/propose/`, {
    method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    say(Object.values(body).flat().join(" ") || response.statusText, true);
    return;
  }
  map.getSource("opportunities").setData(`${window.location.origin}/api/heat-opportunities/?v=${Date.now()}`);
  map.getSource("symbioses").setTiles(tiles("symbioses").map((url) => `${url}?v=${Date.now()}`));
  say(`${L.proposed} ${body.properties?.name ?? ""}`);
}

// ---- search: fly to the result, mark it, close the list ----------------------------------------------
let searchMarker = null;
function chooseResult(hit) {
  searchMarker?.remove();
  const element = document.createElement("div");
  element.className = "search-marker";
  element.setAttribute("role", "img");
  element.setAttribute("aria-label", `${L.searchResult}: ${hit.label}`);
  element.title = hit.label;
  searchMarker = new maplibregl.Marker({ element }).setLngLat([hit.lon, hit.lat]).addTo(map);
  results.replaceChildren();
  searchInput.value = hit.label;
  map.flyTo({ center: [hit.lon, hit.lat], zoom: 14 });
  say(`${L.searchResult}: ${hit.label}`);
}
const searchInput = document.getElementById("search-input");
const results = document.getElementById("search-results");
let searchTimer;
searchInput.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = searchInput.value.trim();
    results.replaceChildren();
    if (q.length < 2) return;
    const body = await (await fetch(`/map/search?q=${encodeURIComponent(q)}`, { credentials: "same-origin" })).json();
    if (!body.results.length) results.innerHTML = `<li class="muted">${escape(L.noResults)}</li>`;
    for (const hit of body.results) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `${hit.label} · ${hit.kind === "site" ? L.site : L.organisation}`;
      button.addEventListener("click", () => chooseResult(hit));
      item.append(button);
      results.append(item);
    }
  }, 200);
});
document.getElementById("map-search").addEventListener("submit", (event) => {
  event.preventDefault();
  results.querySelector("button")?.click();
});

searchInput.addEventListener("keydown", (event) => { if (event.key === "Escape") results.replaceChildren(); });

// ---- the features in view: a list of buttons, so every feature and its popup is reachable by keyboard -------
const LIST_LIMIT = 60;
const inViewList = document.getElementById("features-in-view-list");
const KINDS = { sites: () => L.site, partnerships: () => L.partnership, symbioses: () => L.symbiosis,
                "heat-source": () => L.heatSource, "heat-network": () => L.heatNetwork, opportunity: () => L.opportunity };
const kindOf = (layerId) => KINDS[Object.keys(KINDS).find((k) => layerId.startsWith(k))]?.() ?? "";
const nameOf = (p) => p.name ?? p.title ?? (p.source_name ? `#${p.rank} ${p.source_name} → ${p.network_name}` : String(p.id));
// a point of the feature to open its popup at: a point itself, the middle vertex of a line, the mean of a ring
function anchorOf(geometry) {
  const flat = (g) => (g.type === "Point" ? [g.coordinates] : g.type.startsWith("Multi") && g.type !== "MultiPoint"
    ? g.coordinates[0] : g.coordinates);
  let coords = flat(geometry);
  if (geometry.type.endsWith("Polygon")) {
    coords = coords[0];
    const sum = coords.reduce((acc, c) => [acc[0] + c[0], acc[1] + c[1]], [0, 0]);
    return [sum[0] / coords.length, sum[1] / coords.length];
  }
  return coords[Math.floor(coords.length / 2)];
}
function updateFeaturesInView() {
  const seen = new Map();
  for (const feature of map.queryRenderedFeatures({ layers: clickable.filter((id) => map.getLayer(id)) })) {
    const key = `${feature.layer.id.split("-")[0]}:${feature.properties.id ?? feature.properties.source_id ?? nameOf(feature.properties)}`;
    if (!seen.has(key)) seen.set(key, feature);
  }
  const features = [...seen.values()].sort((a, b) => nameOf(a.properties).localeCompare(nameOf(b.properties), lang));
  document.getElementById("features-in-view-count").textContent = `(${format(L.inView, { count: features.length })})`;
  const note = document.getElementById("features-in-view-note");
  note.hidden = features.length <= LIST_LIMIT && features.length > 0;
  note.textContent = features.length ? format(L.inViewMore, { shown: LIST_LIMIT, count: features.length }) : L.inViewNone;
  inViewList.replaceChildren(...features.slice(0, LIST_LIMIT).map((feature) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.innerHTML = `${escape(nameOf(feature.properties))} <span class="kind">· ${escape(kindOf(feature.layer.id))}</span>`;
    button.addEventListener("click", () => {
      const anchor = anchorOf(feature.geometry);
      if (narrow.matches) setDrawer(false);
      openPopup(feature, anchor, button);
    });
    item.append(button);
    return item;
  }));
}
let inViewTimer;
// after the map settles (the tiles loaded, the filters drawn): a repaint makes sure "idle" comes
const scheduleFeaturesInView = () => {
  clearTimeout(inViewTimer);
  inViewTimer = setTimeout(() => { map.once("idle", updateFeaturesInView); map.triggerRepaint(); }, 50);
};
map.on("moveend", scheduleFeaturesInView);
map.on("load", () => {
  applyFilters();
  document.body.dataset.mapReady = "true";
  map.once("idle", updateFeaturesInView);
});
