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
  boundary: { type: "geojson", data: `${window.location.origin}/map/boundary.geojson` },
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
    paint: { "fill-color": match("site_type", SITE_COLOURS, C.other), "fill-opacity": 0.55, "fill-outline-color": C.areaOutline } },
  { id: "sites-line", type: "line", source: "sites", "source-layer": "sites",
    filter: ["==", ["geometry-type"], "LineString"],
    paint: { "line-color": match("site_type", SITE_COLOURS, C.other), "line-width": 3.5 } },
  { id: "symbioses-line", type: "line", source: "symbioses", "source-layer": "symbioses",
    paint: { "line-color": C.symbiosis, "line-width": 4, "line-dasharray": [2, 1] } },
  { id: "sites-point", type: "circle", source: "sites", "source-layer": "sites",
    filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-color": match("site_type", SITE_COLOURS, C.other), "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 4, 14, 8],
             "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } },
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

// ---- the panel: filters with a legend ---------------------------------------------------------
function checkboxes(containerId, options, selected, colours, swatch, onChange) {
  const container = document.getElementById(containerId);
  for (const [value, label] of Object.entries(options)) {
    const item = document.createElement("label");
    const shape = typeof swatch === "function" ? swatch(value) : swatch;
    item.innerHTML = `<input type="checkbox" value="${escape(value)}" ${selected.includes(value) ? "checked" : ""}>
      <span class="swatch-${shape}"></span>${escape(label)}`;
    // set through the DOM, not a style attribute: the Content-Security-Policy allows no inline style
    item.querySelector("span").style[shape === "ring" ? "borderColor" : "background"] = colours[value] || C.other;
    item.querySelector("input").addEventListener("change", (event) => {
      onChange(value, event.target.checked);
      applyFilters();
    });
    container.append(item);
  }
}
const toggle = (list, value, on) => (on ? [...new Set([...list, value])] : list.filter((v) => v !== value));
checkboxes("filter-type", config.siteTypes, state.types, SITE_COLOURS,
  (type) => (PIPES.includes(type) ? "line" : type === "solar" ? "area" : "dot"),
  (value, on) => { state.types = toggle(state.types, value, on); });
checkboxes("filter-site-status", config.siteStatuses, state.siteStatus, {}, "none",
  (value, on) => { state.siteStatus = toggle(state.siteStatus, value, on); });
checkboxes("filter-partnership-status", config.partnershipStatuses, state.partnershipStatus, PARTNERSHIP_COLOURS, "ring",
  (value, on) => { state.partnershipStatus = toggle(state.partnershipStatus, value, on); });
for (const input of document.querySelectorAll("input[name=layer]")) {
  input.checked = state.layers.includes(input.value);
  input.addEventListener("change", () => { state.layers = toggle(state.layers, input.value, input.checked); applyFilters(); });
}
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
      <dt>${escape(L.capacity)}</dt><dd>${escape(p.capacity ?? "–")} ${escape(p.capacity_unit || "")}</dd></dl>
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
      <dt>${escape(L.distance)}</dt><dd>${escape(Math.round(p.distance_m))} m</dd>
      <dt>${escape(L.pipeCost)}</dt><dd>${escape(Math.round(p.pipe_cost_dkk).toLocaleString())} DKK</dd>
      <dt>${escape(L.heat)}</dt><dd>${escape(p.heat_delivered_mwh_per_yr)} MWh/yr</dd>
      <dt>${escape(L.co2e)}</dt><dd>${escape(p.co2e_displaced_t_per_yr)} t/yr</dd></dl>
      <a href="/heat/opportunities/">${escape(L.allOpportunities)}</a> ${propose}`;
  }
  if (layer === "heat-source-point") {
    return `<h3>${escape(p.name)}</h3><dl>
      <dt>${escape(L.heat)}</dt><dd>${escape(p.surplus_heat_mwh_per_yr)} MWh/yr</dd>
      <dt>${escape(L.temperature)}</dt><dd>${escape(p.temperature_c)} °C</dd></dl>
      <a href="/admin/registry/heatsource/${encodeURIComponent(p.id)}/change/">${escape(L.open)}</a>`;
  }
  if (layer.startsWith("heat-network")) {
    return `<h3>${escape(p.name)}</h3><dl><dt>${escape(L.temperature)}</dt><dd>${escape(p.supply_temperature_c ?? "–")} °C</dd></dl>`;
  }
  return `<h3>${escape(p.name)}</h3><dl>
    <dt>${escape(L.network)}</dt><dd>${escape(p.receiving_network)}</dd>
    <dt>${escape(L.capacity)}</dt><dd>${escape(p.capacity_mw)} MW</dd>
    <dt>${escape(L.heat)}</dt><dd>${escape(p.heat_mwh_per_yr)} MWh/yr</dd>
    <dt>${escape(L.status)}</dt><dd>${escape(config.symbiosisStatuses[p.status] || p.status)}</dd></dl>
    <a href="/admin/registry/heatsymbiosis/${encodeURIComponent(p.id)}/change/">${escape(L.open)}</a>`;
}

const clickable = ["heat-source-point", "opportunity-line", "sites-point", "sites-line", "sites-area",
                   "partnerships-point", "symbioses-line", "heat-network-line", "heat-network-area"];
map.on("click", async (event) => {
  if (state.moving) return moveSite(state.moving, event.lngLat);
  const [feature] = map.queryRenderedFeatures(event.point, { layers: clickable.filter((id) => map.getLayer(id)) });
  if (!feature) return;
  const popup = new maplibregl.Popup({ maxWidth: "22rem" }).setLngLat(event.lngLat).setHTML(popupHtml(feature)).addTo(map);
  popup.getElement().querySelector(".move-site")?.addEventListener("click", (e) => {
    state.moving = e.target.dataset.id;
    popup.remove();
    map.getCanvas().style.cursor = "crosshair";
    say(L.clickNew);
  });
  popup.getElement().querySelector(".propose-symbiosis")?.addEventListener("click", async (e) => {
    popup.remove();
    await proposeSymbiosis(e.target.dataset.id);
  });
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

// ---- search -------------------------------------------------------------------------------
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
      button.addEventListener("click", () => map.flyTo({ center: [hit.lon, hit.lat], zoom: 14 }));
      item.append(button);
      results.append(item);
    }
  }, 200);
});
document.getElementById("map-search").addEventListener("submit", (event) => {
  event.preventDefault();
  results.querySelector("button")?.click();
});

map.on("load", () => { applyFilters(); document.body.dataset.mapReady = "true"; });
