// The gateway's dashboard: one WebSocket client of the gateway's protocol (docs/protocol.md)
// plus a poll of /stats. Every text from the stream goes through textContent, never innerHTML.
//
// Snapshot and resume (CONTRACT section 8): every filter it sends asks for checkpoints and a
// snapshot, so the device table fills with each matching device's latest record at once. It keeps
// the last cursor of a `checkpoint` or `snapshot_end`; after a reconnect it sends its filter, waits
// for the snapshot's end (a resume is refused while a snapshot runs), then resumes from that
// cursor. Until `resume_ack` it takes replayed events only (live ones sent before the resume come
// again in the replay) and keeps the snapshot aside, to apply it where the replay did not reach.
// Events are taken once: an event whose position is not beyond the last one taken from its
// partition is dropped, and the table never goes back to a record older than the one it shows.
"use strict";

(() => {
  const params = new URLSearchParams(location.search);
  const wsPath = params.get("ws") || "/ws";
  const kSparkPoints = 30;
  const kMaxAlerts = 200;
  const kStatsInterval = 2000;

  let token = params.get("token") || sessionStorage.getItem("iiot-token") || "";
  let socket = null;
  let opened = false;
  let failuresBeforeOpen = 0;
  let reconnectDelay = 500;
  let filter = {};                // the filter in force (from filter_ack)
  const devices = new Map();      // device_id -> {device, sensors: name -> {value, unit, history}, time, pos}
  let renderPending = false;

  let cursor = null;              // the last cursor of a checkpoint or snapshot_end
  const reached = new Map();      // "topic:partition" -> [offset, n] of the last event taken
  let resumeFrom = null;          // this connection's resume cursor, until its resume_ack
  let resumeSent = false;         // the resume has gone out (after the snapshot's end)
  const heldSnapshot = new Map(); // device_id -> snapshot frame received while resuming
  let queuedFilter = null;        // a filter applied during a resume, sent after it

  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs = {}, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  function setState(state, text) {
    const s = $("connection");
    s.className = "state state-" + state;
    s.textContent = text;
  }

  function wsUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = token ? "?token=" + encodeURIComponent(token) : "";
    return scheme + "//" + location.host + wsPath + query;
  }

  function connect() {
    opened = false;
    setState("connecting", "connecting…");
    socket = new WebSocket(wsUrl());
    socket.onopen = () => {
      opened = true;
      failuresBeforeOpen = 0;
      reconnectDelay = 500;
      setState("open", "live");
      $("token-panel").hidden = true;
      resumeFrom = cursor;
      resumeSent = false;
      heldSnapshot.clear();
      if (resumeFrom !== null) setResumeState("resuming", "catching up…");
      sendFilter(filter);
    };
    socket.onmessage = (e) => {
      let frame;
      try { frame = JSON.parse(e.data); } catch { return; }
      handle(frame);
    };
    socket.onclose = () => {
      setState("closed", "disconnected, retrying");
      if (resumeFrom !== null) setResumeState("", "");
      resumeFrom = null;
      heldSnapshot.clear();
      if (!opened) {
        ++failuresBeforeOpen;
        checkAuthorisation();
      }
      setTimeout(connect, reconnectDelay + Math.random() * reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 10000);
    };
  }

  // A browser does not tell why a handshake failed: ask the endpoint over plain HTTP, which
  // answers 401 when a token is needed (or wrong).
  async function checkAuthorisation() {
    let status = 0;
    try {
      const query = token ? "?token=" + encodeURIComponent(token) : "";
      status = (await fetch(wsPath + query, {cache: "no-store"})).status;
    } catch { /* the gateway is away: keep retrying */ }
    if (status === 401 || status === 403) {
      $("token-panel").hidden = false;
      setState("closed", token ? "token refused" : "token required");
    }
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  // Every filter asks for checkpoints and for a snapshot of the matching devices.
  function sendFilter(wanted) {
    send({type: "filter", data: {...wanted, resume: true, snapshot: true}});
  }

  // A filter from the form: during a resume it waits for the resume's end (a new filter would
  // end the replay early).
  function applyFilter(wanted) {
    if (resumeFrom !== null) {
      queuedFilter = wanted;
      $("filter-state").textContent = "applying after the replay…";
      return;
    }
    sendFilter(wanted);
  }

  function keepCursor(value) {
    if (typeof value === "string" && value !== "") cursor = value;
  }

  function sendResume() {
    resumeSent = true;
    send({type: "resume", data: {cursor: resumeFrom}});
  }

  function setResumeState(state, text) {
    const s = $("resume-state");
    s.className = state ? "resume-" + state : "";
    s.textContent = text;
  }

  // The resume is over (resume_ack, or refused): live events count again, and the snapshot kept
  // aside fills in what the replay did not bring.
  function endResume() {
    resumeFrom = null;
    resumeSent = false;
    for (const frame of heldSnapshot.values()) onDeviceData(frame);
    heldSnapshot.clear();
    if (queuedFilter !== null) {
      const wanted = queuedFilter;
      queuedFilter = null;
      sendFilter(wanted);
    }
  }

  // "<topic>:<partition>:<offset>[/<n>]" -> ["<topic>:<partition>", [offset, n]]; n ranks the alerts
  // threshold rules derived from one record.
  function parsePos(pos) {
    if (typeof pos !== "string") return null;
    const [place, n = "0"] = pos.split("/");
    const cut = place.lastIndexOf(":");
    const offset = Number(place.slice(cut + 1));
    if (cut <= 0 || !Number.isFinite(offset)) return null;
    return [place.slice(0, cut), [offset, Number(n) || 0]];
  }

  const notAfter = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);

  // Whether an event at pos was taken already; takes it otherwise. Events of a partition come in
  // order, so the last one taken per partition is enough.
  function seen(pos) {
    const parsed = parsePos(pos);
    if (!parsed) return false;
    const [partition, at] = parsed;
    const last = reached.get(partition);
    if (last && notAfter(at, last)) return true;
    reached.set(partition, at);
    return false;
  }

  function onEvent(frame) {
    if (frame.snapshot) {
      const device = frame.data && frame.data.device;
      if (resumeFrom !== null && device) heldSnapshot.set(device.device_id, frame);
      else onDeviceData(frame);
      return;
    }
    if (resumeFrom !== null && !frame.replay) return;  // sent before the resume: replayed in order
    if (seen(frame.pos)) return;
    if (frame.type === "alert") onAlert(frame);
    else onDeviceData(frame);
  }

  function handle(frame) {
    const data = frame.data || {};
    switch (frame.type) {
      case "welcome":
        $("client-id").textContent = data.client_id ? "client " + data.client_id : "";
        break;
      case "device_data":
      case "alert":
        onEvent(frame);
        break;
      case "filter_ack":
        filter = data;
        showFilter();
        pruneDevices();
        break;
      case "snapshot_end":
        if (resumeFrom === null) keepCursor(data.cursor);
        else if (!resumeSent) sendResume();
        break;
      case "checkpoint":
        // Until resume_ack this connection has not had everything before a checkpoint.
        if (resumeFrom === null) keepCursor(data.cursor);
        break;
      case "resume_ack":
        if (data.recovered) {
          setResumeState("ok", "caught up: " + data.replayed + " events replayed");
        } else {
          setResumeState("gap", "reconnected with a gap: some events were no longer available");
        }
        endResume();
        break;
      case "error":
        onError(data);
        break;
      default:
        break;
    }
  }

  function onError(error) {
    const text = "error " + error.code + ": " + error.message;
    if (resumeFrom !== null && (error.code === "invalid_cursor" || error.code === "resume_in_progress")) {
      if (error.code === "invalid_cursor") cursor = null;  // another gateway's: start afresh
      setResumeState("gap", "could not resume (" + text + ")");
      endResume();
      return;
    }
    if (resumeFrom !== null && !resumeSent && (error.code === "invalid_filter" || error.code === "forbidden")) {
      sendResume();  // the filter was refused, so no snapshot runs: resume under the one in force
    }
    $("filter-state").textContent = text;
  }

  function onDeviceData(frame) {
    const device = frame.data && frame.data.device;
    if (!device || typeof device.device_id !== "string") return;
    let entry = devices.get(device.device_id);
    const at = parsePos(frame.pos);
    if (entry && at && entry.pos && entry.pos[0] === at[0] && notAfter(at[1], entry.pos[1])) {
      return;  // the table shows this record or a later one of the device (from a snapshot)
    }
    if (!entry) {
      entry = {device, sensors: new Map(), time: "", pos: null};
      devices.set(device.device_id, entry);
    }
    entry.device = device;
    entry.time = frame.timestamp || "";
    entry.pos = at;
    for (const [name, reading] of Object.entries(device.sensors || {})) {
      let sensor = entry.sensors.get(name);
      if (!sensor) {
        sensor = {value: null, unit: "", history: []};
        entry.sensors.set(name, sensor);
      }
      sensor.value = reading.value;
      sensor.unit = reading.unit || "";
      if (typeof reading.value === "number") {
        sensor.history.push(reading.value);
        if (sensor.history.length > kSparkPoints) sensor.history.shift();
      }
    }
    scheduleRender();
  }

  function onAlert(frame) {
    const data = frame.data || {};
    const alert = data.alert || {};
    const severity = ["info", "warning", "error", "critical"].includes(alert.severity) ? alert.severity : "info";
    const li = el("li", {class: "severity-" + severity, "data-alert-id": alert.alert_id || "",
                         "data-pos": typeof frame.pos === "string" ? frame.pos : ""});
    li.append(el("span", {class: "severity"}, severity.toUpperCase() + " "),
              el("span", {class: "title"}, alert.title || ""));
    if (alert.description) li.append(el("div", {class: "description"}, alert.description));
    li.append(el("div", {class: "meta"},
                 [data.device_id, data.device_type, data.location, frame.timestamp].filter(Boolean).join(" · ")));
    const list = $("alerts");
    list.prepend(li);
    while (list.children.length > kMaxAlerts) list.lastElementChild.remove();
    $("alert-count").textContent = String(list.children.length);
  }

  function matches(device) {
    const inList = (list, value) => !Array.isArray(list) || list.length === 0 || list.includes(value);
    return inList(filter.device_ids, device.device_id) && inList(filter.device_types, device.device_type) &&
           inList(filter.locations, device.location) && inList(filter.types, "device_data");
  }

  // After a new filter the table shows only what the filter lets through.
  function pruneDevices() {
    for (const [id, entry] of devices) {
      if (!matches(entry.device)) devices.delete(id);
    }
    scheduleRender();
  }

  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(() => { renderPending = false; renderDevices(); });
  }

  function sparkline(history) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 80 20");
    svg.setAttribute("preserveAspectRatio", "none");
    const line = document.createElementNS(ns, "polyline");
    if (history.length > 0) {
      const min = Math.min(...history);
      const span = Math.max(...history) - min || 1;
      const step = history.length > 1 ? 80 / (history.length - 1) : 0;
      line.setAttribute("points", history.map((v, i) =>
        (i * step).toFixed(1) + "," + (18 - ((v - min) / span) * 16).toFixed(1)).join(" "));
    }
    svg.append(line);
    return svg;
  }

  function renderDevices() {
    const body = document.querySelector("#devices tbody");
    const rows = [];
    const ids = [...devices.keys()].sort();
    for (const id of ids) {
      const {device, sensors, time} = devices.get(id);
      const tr = el("tr", {"data-device-id": id});
      tr.append(el("td", {}, id), el("td", {}, device.device_type || ""), el("td", {}, device.location || ""),
                el("td", {class: "status-" + (device.status || "online")}, device.status || "online"));
      const cell = el("td");
      for (const [name, s] of sensors) {
        const span = el("span", {class: "sensor", "data-sensor": name});
        span.append(el("span", {class: "name"}, name),
                    el("span", {class: "value"}, s.value === null ? "" : String(s.value) + (s.unit ? " " + s.unit : "")),
                    sparkline(s.history));
        cell.append(span);
      }
      tr.append(cell, el("td", {}, time));
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    $("device-count").textContent = String(ids.length);
  }

  const list = (id) => $(id).value.split(",").map((s) => s.trim()).filter(Boolean);
  const checked = (name) => [...document.querySelectorAll("input[name=" + name + "]:checked")].map((c) => c.value);

  function showFilter() {
    const parts = [];
    for (const [key, values] of Object.entries(filter)) {
      if (Array.isArray(values) && values.length > 0) parts.push(key + ": " + values.join(", "));
    }
    $("filter-state").textContent = parts.length ? "in force — " + parts.join("; ") : "in force — everything";
  }

  $("filter-form").addEventListener("submit", (e) => {
    e.preventDefault();
    applyFilter({device_ids: list("f-device-ids"), device_types: list("f-device-types"),
                 locations: list("f-locations"), alert_levels: checked("level"), types: checked("type")});
  });
  $("filter-clear").addEventListener("click", () => {
    $("filter-form").reset();
    applyFilter({});
  });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    token = $("token-input").value.trim();
    sessionStorage.setItem("iiot-token", token);
    if (socket) socket.close();
  });

  const figures = [
    ["active_clients", "clients"], ["total_messages", "records"], ["device_data_messages", "device data"],
    ["alert_messages", "alerts"], ["invalid_messages", "invalid"], ["dropped_messages", "dropped"],
    ["push_failure_count", "push failures"], ["avg_push_latency_ms", "avg push ms"],
    ["p99_push_latency_ms", "p99 push ms"], ["kafka.consumer_lag", "Kafka lag"],
    ["kafka.partitions_assigned", "partitions"], ["uptime_seconds", "uptime s"],
  ];

  async function pollStats() {
    try {
      const headers = token ? {Authorization: "Bearer " + token} : {};
      const response = await fetch("/stats", {cache: "no-store", headers});
      if (response.ok) renderStats(await response.json());
    } catch { /* shown as stale figures; the next poll retries */ }
    setTimeout(pollStats, kStatsInterval);
  }

  function renderStats(stats) {
    const items = figures.map(([path, label]) => {
      let value = path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), stats);
      if (typeof value === "number" && !Number.isInteger(value)) value = value.toFixed(path === "uptime_seconds" ? 0 : 3);
      const div = el("div", {class: "figure", "data-stat": path});
      div.append(el("b", {}, value === undefined ? "–" : String(value)), el("span", {}, label));
      return div;
    });
    if (stats.kafka && (stats.kafka.partial || stats.kafka.reachable === false)) {
      const div = el("div", {class: "figure bad"});
      div.append(el("b", {}, stats.kafka.partial ? "partial" : "unreachable"), el("span", {}, "Kafka"));
      items.push(div);
    }
    $("stats").replaceChildren(...items);
  }

  connect();
  pollStats();
})();
