import StarMockDialects

/// The live page at `GET /__admin/`: the journal as it comes in, the world (accounts, orders,
/// invoices, keys), the clock, the scripted faults, and the users' side as controls. One
/// self-contained document, no build step and no CDN; its script only calls the control API
/// (`/__admin/state`, `/__admin/journal?after=N`, …), twice a second.
enum Dashboard {
    static let page = DialectResponse(
        status: 200, headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
        body: Array(html.utf8))

    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>StarMock</title>
<link rel="icon" href="data:,">
<style>
  body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f5f6f8; }
  header { background: #1d2330; color: #fff; padding: 8px 16px; display: flex; gap: 24px; align-items: center; flex-wrap: wrap; }
  header b { font-size: 15px; }
  header .ok { color: #7bd88f; } header .bad { color: #ff8a80; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; padding: 12px; }
  section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 8px 12px; margin-bottom: 12px; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #5b6475; margin: 4px 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
  th { color: #5b6475; font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.entry { cursor: pointer; } tr.entry:hover { background: #f0f4ff; }
  tr.fresh { animation: fresh 2s ease-out; } @keyframes fresh { from { background: #fff3c4; } to { background: transparent; } }
  .s2 { color: #1b7f3b; } .s4 { color: #b25e00; } .s5, .lost { color: #c62828; font-weight: 600; }
  .fault { background: #fde7e9; color: #a0182b; border-radius: 3px; padding: 0 4px; }
  .latency { background: #e8eefc; color: #254a9c; border-radius: 3px; padding: 0 4px; }
  .state-pending { color: #b25e00; } .state-completed { color: #1b7f3b; } .state-failed { color: #c62828; }
  pre { background: #f7f8fa; border: 1px solid #eef0f3; padding: 6px; margin: 4px 0; white-space: pre-wrap; word-break: break-all; max-height: 240px; overflow: auto; }
  button { font: inherit; padding: 1px 8px; cursor: pointer; }
  input, select { font: inherit; padding: 1px 4px; }
  .controls { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
  #activity li { margin: 2px 0; } #activity { max-height: 260px; overflow: auto; padding-left: 18px; margin: 0; }
  #message { color: #c62828; } .muted { color: #8a93a3; }
</style>
</head>
<body>
<header>
  <b>StarMock</b>
  <span>dialects: <span id="dialects">…</span></span>
  <span>clock: <span id="clock-mode">…</span> · <span id="clock-now">…</span></span>
  <span class="controls" id="clock-controls" hidden>
    advance <button data-advance="1">+1 s</button><button data-advance="10">+10 s</button>
    <button data-advance="65" id="advance-65">+65 s</button>
    <input id="advance-seconds" size="5" placeholder="s"><button id="advance-custom">advance</button>
  </span>
  <span>held: <span id="waiting">0</span></span>
  <span>ledger: <span id="consistent">…</span></span>
  <button id="reset">reset world</button>
  <span id="message"></span>
</header>
<main>
<div>
  <section>
    <h2>Journal <span class="muted" id="journal-count"></span></h2>
    <table id="journal">
      <thead><tr><th>#</th><th>received</th><th>dialect</th><th>request</th><th>status</th><th>fault</th><th class="num">latency</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
</div>
<div>
  <section>
    <h2>Accounts</h2>
    <table id="accounts"><thead><tr><th>owner</th><th class="num">available</th><th class="num">locked</th><th class="num">spent</th><th class="num">orders</th></tr></thead><tbody></tbody></table>
  </section>
  <section>
    <h2>Activity</h2>
    <ul id="activity"></ul>
  </section>
  <section>
    <h2>Orders</h2>
    <table id="orders"><thead><tr><th>order</th><th>what</th><th>user</th><th class="num">cost</th><th>state</th><th>updated</th><th></th></tr></thead><tbody></tbody></table>
  </section>
  <section id="invoices-section" hidden>
    <h2>Invoices</h2>
    <table id="invoices"><thead><tr><th>invoice</th><th>price</th><th>state</th><th></th></tr></thead><tbody></tbody></table>
    <div class="controls" id="telegram-pay" hidden>
      Telegram: user <input id="tg-user" size="10" value="100000001"> pays link
      <input id="tg-link" size="28" placeholder="https://t.me/$…"><button id="tg-pay">pay</button>
    </div>
  </section>
  <section>
    <h2>Scripted faults</h2>
    <table id="faults"><thead><tr><th>dialect</th><th>action</th><th>where</th><th>phase</th><th class="num">matched</th><th class="num">fired</th></tr></thead><tbody></tbody></table>
    <div class="controls" style="margin-top:6px">
      <select id="fault-dialect"></select>
      <input id="fault-code" size="16" placeholder="code">
      <input id="fault-path" size="18" placeholder="path (optional)">
      <input id="fault-times" size="3" placeholder="times">
      <select id="fault-phase"><option>before</option><option>after</option></select>
      <button id="fault-add">add</button><button id="fault-clear">clear all</button>
    </div>
  </section>
  <section>
    <h2>Keys</h2>
    <table id="keys"><thead><tr><th>key</th><th>dialect</th><th>owner</th><th></th></tr></thead><tbody></tbody></table>
  </section>
</div>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let lastSequence = 0, previous = null, dialects = [], panels = {}, clockMode = "";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return node;
}
// Rows are rebuilt only when their data changed, so a button stays put while it is clicked.
const shown = {};
function fill(table, data, row) {
  const key = JSON.stringify(data);
  if (shown[table] === key) return;
  shown[table] = key;
  $(table).tBodies[0].replaceChildren(...data.map(row));
}
function time(iso) { return iso ? iso.replace("T", " ").replace("Z", "") : ""; }
function say(text) { $("message").textContent = text || ""; }

async function call(method, path, body) {
  const response = await fetch(path, {
    method, headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null; try { json = JSON.parse(text); } catch (e) {}
  if (!response.ok) throw new Error((json && json.error) || (response.status + " " + text));
  return json;
}
async function act(method, path, body) {
  try { await call(method, path, body); say(""); await refresh(); } catch (e) { say(e.message); }
}

// Bodies exactly as they went over the wire (never re-serialized: 25.50 stays 25.50).
function exact(text) { return text ? text : "(empty)"; }
function journalRow(e) {
  const lost = e.status == null;
  const status = el("td", { class: lost ? "lost" : "s" + String(e.status)[0] }, lost ? "no answer" : e.status);
  const faults = el("td", {});
  for (const part of (e.fault || "").split("; ").filter(Boolean)) {
    faults.append(el("span", { class: part.startsWith("latency") ? "latency" : "fault" }, part), " ");
  }
  const row = el("tr", { class: "entry fresh", "data-sequence": e.sequence },
    el("td", { class: "num" }, e.sequence), el("td", {}, time(e.received_at)), el("td", {}, e.dialect || "–"),
    el("td", {}, e.method + " " + e.target), status, faults, el("td", { class: "num" }, e.latency_ms + " ms"));
  const detail = el("tr", { class: "detail", hidden: "" }, el("td", { colspan: 7 },
    el("div", {}, el("b", {}, "request "), e.method + " " + e.target + (e.key ? "   key: " + e.key : "")),
    el("pre", {}, exact(e.request_body)),
    el("div", {}, el("b", {}, "response "), lost ? "none (" + (e.fault || "transport fault") + ")"
      : e.status + (e.retry_after ? "   Retry-After: " + e.retry_after : "") + "   answered " + time(e.answered_at)),
    el("pre", {}, lost ? "" : exact(e.response_body))));
  row.addEventListener("click", () => { detail.hidden = !detail.hidden; });
  return [row, detail];
}

function orderLabel(o) { return o.dialect + " #" + o.id; }
function orderWhat(o) { return o.type === "stars" ? o.quantity + " stars" : o.months + " months premium"; }
function activity(state) {
  const lines = [];
  if (previous) {
    const before = new Map(previous.orders.map((o) => [orderLabel(o), o]));
    for (const o of state.orders) {
      const was = before.get(orderLabel(o));
      if (!was) lines.push(orderLabel(o) + " placed: " + orderWhat(o) + " for @" + o.username + ", $" + o.cost + " (" + o.state + ")");
      else if (was.state !== o.state) lines.push(orderLabel(o) + " " + was.state + " → " + o.state + (o.error_message ? " (" + o.error_message + ")" : ""));
    }
    const accounts = new Map(previous.accounts.map((a) => [a.owner, a]));
    for (const a of state.accounts) {
      const was = accounts.get(a.owner);
      if (!was) continue;
      const changes = ["available", "locked", "spent"].filter((k) => was[k] !== a[k]).map((k) => k + " " + was[k] + " → " + a[k]);
      if (changes.length) lines.push(a.owner + ": " + changes.join(", "));
    }
  }
  for (const line of lines) $("activity").prepend(el("li", {}, el("span", { class: "muted" }, time(state.now) + " "), line));
  previous = state;
}

function render(state, faults) {
  $("clock-now").textContent = time(state.now);
  $("waiting").textContent = state.waiting;
  $("consistent").textContent = state.consistent ? "consistent" : "INCONSISTENT";
  $("consistent").className = state.consistent ? "ok" : "bad";
  fill("accounts", state.accounts, (a) => el("tr", { "data-owner": a.owner }, el("td", {}, a.owner),
    el("td", { class: "num available" }, a.available), el("td", { class: "num locked" }, a.locked),
    el("td", { class: "num spent" }, a.spent), el("td", { class: "num" }, a.total_orders)));
  fill("orders", state.orders.slice().reverse(), (o) => el("tr", { "data-order": o.dialect + "-" + o.id },
    el("td", {}, orderLabel(o)), el("td", {}, orderWhat(o)), el("td", {}, "@" + o.username), el("td", { class: "num" }, o.cost),
    el("td", { class: "state state-" + o.state }, o.state), el("td", {}, time(o.updated_at)),
    el("td", {}, o.state === "pending" ? [
      el("button", { onclick: () => act("POST", "/__admin/orders/" + o.dialect + "/" + o.id + "/complete") }, "complete"), " ",
      el("button", { onclick: () => act("POST", "/__admin/orders/" + o.dialect + "/" + o.id + "/fail") }, "fail")] : "")));
  fill("keys", state.keys, (k) => el("tr", {}, el("td", {}, k.key), el("td", {}, k.dialect), el("td", {}, k.owner),
    el("td", {}, el("button", { onclick: () => act("POST", "/__admin/keys/" + encodeURIComponent(k.key) + (k.enabled ? "/disable" : "/enable")) },
      k.enabled ? "disable" : "enable"))));
  fill("faults", faults.faults, (f) => el("tr", {}, el("td", {}, f.dialect), el("td", {}, f.action),
    el("td", {}, [f.method, f.path].filter(Boolean).join(" ") || "every request"), el("td", {}, f.phase),
    el("td", { class: "num" }, f.matched), el("td", { class: "num" }, f.fired)));
  activity(state);
}

// The served dialects whose control API offers this dashboard panel (health's "dashboard").
function offering(panel) { return dialects.filter((d) => (panels[d] || []).includes(panel)); }

async function invoices() {
  const lists = await Promise.all(offering("invoices").map(async (d) =>
    (await call("GET", "/__admin/" + d)).invoices.map((i) => ({ dialect: d, invoice: i }))));
  const list = lists.flat();
  const payLink = offering("pay-link").length > 0;
  $("telegram-pay").hidden = !payLink;
  $("invoices-section").hidden = list.length === 0 && !payLink;
  fill("invoices", list, ({ dialect: d, invoice: i }) => el("tr", { "data-invoice": d + "-" + i.id },
    el("td", {}, d + " #" + i.id + (i.title ? " " + i.title : "")), el("td", {}, i.rate + " " + i.period),
    el("td", { class: "paid" }, i.is_paid ? "paid by " + i.recipient : "unpaid"),
    el("td", {}, i.is_paid ? "" : el("button", {
      onclick: () => act("POST", "/__admin/" + d + "/invoices/" + i.id + "/pay", { tg_user_id: 123456789 }) }, "pay"))));
}

async function refresh() {
  const [state, faults, journal] = await Promise.all([
    call("GET", "/__admin/state"), call("GET", "/__admin/faults"), call("GET", "/__admin/journal?after=" + lastSequence)]);
  render(state, faults);
  const body = $("journal").tBodies[0];
  for (const e of journal.entries) { body.prepend(...journalRow(e)); lastSequence = Math.max(lastSequence, e.sequence); }
  $("journal-count").textContent = journal.recorded + " recorded" + (journal.dropped ? ", " + journal.dropped + " dropped" : "");
  await invoices();
}

async function start() {
  const health = await call("GET", "/__admin/health");
  dialects = health.dialects; panels = health.dashboard || {}; clockMode = health.clock;
  $("dialects").textContent = dialects.join(", ");
  $("clock-mode").textContent = clockMode;
  $("clock-controls").hidden = clockMode !== "virtual";
  $("fault-dialect").replaceChildren(...dialects.map((d) => el("option", {}, d)));
  for (const b of document.querySelectorAll("[data-advance]")) {
    b.addEventListener("click", () => act("POST", "/__admin/clock/advance", { seconds: Number(b.dataset.advance) }));
  }
  $("advance-custom").addEventListener("click", () => act("POST", "/__admin/clock/advance", { seconds: Number($("advance-seconds").value) }));
  $("reset").addEventListener("click", () => { lastSequence = 0; previous = null; $("journal").tBodies[0].replaceChildren(); act("POST", "/__admin/reset"); });
  $("fault-add").addEventListener("click", () => {
    const fault = { dialect: $("fault-dialect").value, code: $("fault-code").value, phase: $("fault-phase").value };
    if ($("fault-path").value) fault.path = $("fault-path").value;
    if ($("fault-times").value) fault.times = Number($("fault-times").value);
    act("POST", "/__admin/faults", fault);
  });
  $("fault-clear").addEventListener("click", () => act("DELETE", "/__admin/faults"));
  $("tg-pay").addEventListener("click", () => act("POST", "/__admin/" + offering("pay-link")[0] + "/pay", { user_id: Number($("tg-user").value), link: $("tg-link").value }));
  const tick = async () => { try { await refresh(); } catch (e) { say("control API: " + e.message); } setTimeout(tick, 500); };
  tick();
}
start().catch((e) => say("control API: " + e.message));
</script>
</body>
</html>
"""#
}
