// dayzero-mock console: plain JavaScript over the mock's control API (/__mock, ours).
// No build step; every value from the server is written with textContent.
"use strict";

const API = "/__mock";
const $ = (selector) => document.querySelector(selector);

function sessionHeaders() {
  const name = $("#session").value.trim();
  return name ? { "x-mock-session": name } : {};
}

// The control token (dayzero-mock serve --control-token): asked once, kept for this tab.
const TOKEN_KEY = "dayzero-mock-control-token";

function tokenHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

class NeedsToken extends Error {}

function askForToken(message) {
  $("#token-form").hidden = false;
  $("#token-reason").textContent = message;
  $("#token").focus();
}

async function call(method, path, body) {
  const headers = { ...sessionHeaders(), ...tokenHeaders() };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(API + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.status === 401) {
    // Several calls run at once: the first refusal of a sent token decides the message.
    if (headers.authorization) {
      sessionStorage.removeItem(TOKEN_KEY);
      askForToken("That control token was refused; enter the right one.");
    } else if ($("#token-form").hidden) {
      askForToken("This mock's control API is protected: enter its control token.");
    }
    throw new NeedsToken("Control token needed");
  }
  if (!response.ok) {
    const detail = data && data.detail;
    const reason = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : detail;
    throw new Error(`${method} ${path}: ${response.status} ${reason || ""}`.trim());
  }
  return data;
}

function say(text, isError = false) {
  const message = $("#message");
  message.textContent = text;
  message.className = isError ? "error" : "";
  clearTimeout(say.timer);
  say.timer = setTimeout(() => { message.textContent = ""; }, isError ? 8000 : 3000);
}

async function act(label, action) {
  try {
    await action();
    if (label) say(label);
    await refresh();
  } catch (error) {
    if (!(error instanceof NeedsToken)) say(error.message, true);
  }
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
  }
  return node;
}

const badge = (status) => el("span", { class: `badge status-${status}` }, status);
const time = (iso) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "");

// -- state -------------------------------------------------------------------------------------

function renderState(state) {
  $("#now").textContent = time(state.now) + " UTC";
  $("#frozen").hidden = !state.frozen;
  $("#freeze").textContent = state.frozen ? "Resume clock" : "Freeze clock";
  $("#freeze").dataset.frozen = state.frozen ? "yes" : "no";
}

function timeline(pkg, now) {
  const steps = [["created", pkg.created_at], ["started", pkg.starts_at], [pkg.ends_as, pkg.finishes_at]];
  return el("div", { class: "timeline" }, ...steps.map(([label, at]) =>
    el("span", { class: at > now ? "future" : "" }, `${label} ${time(at).slice(11)}`)));
}

function renderBusinesses(overview) {
  const now = overview.state.now;
  const root = $("#businesses");
  root.replaceChildren();
  for (const business of overview.businesses) {
    const packages = el("table", { class: "packages", dataset: { business: business.id } },
      el("thead", {}, el("tr", {}, ...["package", "status", "format", "period", "timeline", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...business.packages.map((pkg) => el("tr", { dataset: { package: pkg.id } },
        el("td", { class: "mono" }, pkg.id.slice(0, 8)),
        el("td", {}, badge(pkg.status)),
        el("td", {}, pkg.report_format),
        el("td", { class: "nowrap" }, `${pkg.period_start} – ${pkg.period_end}`),
        el("td", {}, timeline(pkg, now), pkg.error_message ? el("div", { class: "muted" }, pkg.error_message) : ""),
        el("td", {}, ["queued", "in_progress"].includes(pkg.status)
          ? el("button", { type: "button", class: "fail", onclick: () => act(`Package ${pkg.id.slice(0, 8)} failed`,
              () => call("POST", `/packages/${pkg.id}/fail`)) }, "Force fail")
          : "")))));
    const periods = el("table", { class: "periods" },
      el("thead", {}, el("tr", {}, ...["period", "status", "closed", "reopened", "lock reason"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...business.periods.map((period) => el("tr", { dataset: { period: period.id } },
        el("td", { class: "nowrap" }, `${period.period_start} – ${period.period_end}`),
        el("td", {}, badge(period.status)),
        el("td", { class: "nowrap" }, time(period.closed_at)),
        el("td", {}, period.reopened_at ? `${time(period.reopened_at)} (${period.reopen_reason || ""})` : ""),
        el("td", {}, period.lock_reason || "")))));
    const shown = business.packages.length < business.package_count
      ? ` (newest ${business.packages.length} of ${business.package_count})` : "";
    root.append(el("div", { class: "business", dataset: { business: business.id } },
      el("h3", {}, business.name, " ", el("small", { class: "mono" }, business.id)),
      el("p", { class: "muted" }, `${business.package_count} package(s)${shown}`),
      business.packages.length ? packages : "",
      periodList(business, periods)));
  }
}

// Businesses whose periods the user opened: kept open across the 2 s refreshes.
const openPeriodLists = new Set();

function periodList(business, periods) {
  const details = el("details", { dataset: { periodsOf: business.id } },
    el("summary", {}, `${business.periods.length} accounting period(s)`), periods);
  details.open = openPeriodLists.has(business.id);
  details.addEventListener("toggle", () => {
    if (details.open) openPeriodLists.add(business.id); else openPeriodLists.delete(business.id);
  });
  return details;
}

async function renderFaults() {
  const faults = await call("GET", "/faults");
  const active = new Set(faults.active);
  $("#faults").replaceChildren(...faults.available.map((fault) => {
    const box = el("input", { type: "checkbox", name: fault.name, id: `fault-${fault.name}` });
    box.checked = active.has(fault.name);
    box.addEventListener("change", () => act(`${fault.name} ${box.checked ? "on" : "off"}`, async () => {
      const chosen = [...document.querySelectorAll("#faults input:checked")].map((b) => b.name);
      await call("PUT", "/faults", { active: chosen });
    }));
    return el("li", {}, el("label", { for: box.id }, box, " ", el("span", { class: "name" }, fault.name), " ",
      el("small", {}, fault.description)));
  }));
}

async function renderSteering() {
  const steering = await call("GET", "/steering");
  fillSteering(steering);
  showSteering(steering);
}

function fillSteering(steering) {
  $("#latency-min").value = steering.latency_ms ? steering.latency_ms.min : 0;
  $("#latency-max").value = steering.latency_ms ? steering.latency_ms.max : 0;
  $("#chaos").value = steering.chaos;
}

function showSteering(steering) {
  const latency = steering.latency_ms ? `${steering.latency_ms.min}..${steering.latency_ms.max} ms` : "no latency";
  $("#steering-now").textContent = `now: ${latency}, chaos ${steering.chaos}`;
}

async function renderJournal() {
  const journal = await call("GET", "/requests");
  $("#journal-off").hidden = journal.size > 0;
  const rows = journal.items.slice(-50).reverse().map((r) => el("tr", {},
    el("td", {}, time(r.at).slice(11)),
    el("td", {}, r.method),
    el("td", { class: "mono" }, r.path + (r.query ? `?${r.query}` : "")),
    el("td", {}, String(r.status)),
    el("td", {}, r.duration_ms.toFixed(1)),
    el("td", { class: "mono" }, r.operation_id || ""),
    el("td", {}, r.session || ""),
    el("td", {}, r.steering ? Object.entries(r.steering).map(([k, v]) => `${k}=${v}`).join(" ") : "")));
  $("#journal tbody").replaceChildren(...rows);
}

// Faults and steering can change from elsewhere (the control API, another console): keep the
// panels in line without touching a field being edited.
async function refreshSettings() {
  const [faults, steering] = await Promise.all([call("GET", "/faults"), call("GET", "/steering")]);
  const active = new Set(faults.active);
  for (const box of document.querySelectorAll("#faults input")) box.checked = active.has(box.name);
  if (!$("#steering").contains(document.activeElement)) fillSteering(steering);
  showSteering(steering);
}

async function refresh() {
  const overview = await call("GET", "/overview");
  renderState(overview.state);
  renderBusinesses(overview);
  await Promise.all([renderJournal(), refreshSettings()]);
}

// -- controls ----------------------------------------------------------------------------------

for (const button of document.querySelectorAll("[data-advance]")) {
  button.addEventListener("click", () => act(`Clock advanced ${button.textContent}`,
    () => call("POST", "/clock/advance", { seconds: Number(button.dataset.advance) })));
}
$("#advance").addEventListener("click", () => act("Clock advanced",
  () => call("POST", "/clock/advance", { seconds: Number($("#advance-seconds").value) })));
$("#freeze").addEventListener("click", () => {
  const frozen = $("#freeze").dataset.frozen === "yes";
  act(frozen ? "Clock running" : "Clock frozen", () => call("POST", frozen ? "/clock/resume" : "/clock/freeze"));
});
$("#reset").addEventListener("click", () => act("State reset to the fixtures", () => call("POST", "/reset")));
$("#journal-clear").addEventListener("click", () => act("Journal cleared", () => call("DELETE", "/requests")));
$("#steering").addEventListener("submit", (event) => {
  event.preventDefault();
  const min = Number($("#latency-min").value);
  const max = Number($("#latency-max").value);
  act("Steering applied", async () => {
    showSteering(await call("PUT", "/steering", {
      latency_ms: max > 0 ? { min, max } : null,
      chaos: Number($("#chaos").value),
    }));
  });
});
$("#session").addEventListener("change", () => act(null, async () => {}));
$("#token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("#token").value.trim());
  $("#token").value = "";
  $("#token-form").hidden = true;
  start();
});

function sayUnlessToken(error) {
  if (!(error instanceof NeedsToken)) say(error.message, true);
}

setInterval(() => {
  if ($("#auto-refresh").checked && document.visibilityState === "visible" && $("#token-form").hidden) {
    refresh().catch(sayUnlessToken);
  }
}, 2000);

function start() {
  Promise.all([renderFaults(), renderSteering(), refresh()])
    .then(() => document.body.setAttribute("data-ready", "yes"))
    .catch(sayUnlessToken);
}
start();
