// The gateway's dashboard: one WebSocket client of the gateway's protocol (docs/protocol.md)
// plus a poll of /stats. Every text from the stream goes through textContent, never innerHTML.
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
  const devices = new Map();      // device_id -> {device, sensors: name -> {value, unit, history}, time}
  let renderPending = false;

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
      if (Object.keys(filter).length > 0) send({type: "filter", data: filter});
    };
    socket.onmessage = (e) => {
      let frame;
      try { frame = JSON.parse(e.data); } catch { return; }
      handle(frame);
    };
    socket.onclose = () => {
      setState("closed", "disconnected, retrying");
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

  function handle(frame) {
    switch (frame.type) {
      case "welcome":
        $("client-id").textContent = frame.data && frame.data.client_id ? "client " + frame.data.client_id : "";
        break;
      case "device_data":
        onDeviceData(frame);
        break;
      case "alert":
        onAlert(frame);
        break;
      case "filter_ack":
        filter = frame.data || {};
        showFilter();
        pruneDevices();
        break;
      case "error":
        $("filter-state").textContent = "error " + (frame.data ? frame.data.code + ": " + frame.data.message : "");
        break;
      default:
        break;
    }
  }

  function onDeviceData(frame) {
    const device = frame.data && frame.data.device;
    if (!device || typeof device.device_id !== "string") return;
    let entry = devices.get(device.device_id);
    if (!entry) {
      entry = {device, sensors: new Map(), time: ""};
      devices.set(device.device_id, entry);
    }
    entry.device = device;
    entry.time = frame.timestamp || "";
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
    const li = el("li", {class: "severity-" + severity, "data-alert-id": alert.alert_id || ""});
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
    send({type: "filter", data: {device_ids: list("f-device-ids"), device_types: list("f-device-types"),
                                 locations: list("f-locations"), alert_levels: checked("level"),
                                 types: checked("type")}});
  });
  $("filter-clear").addEventListener("click", () => {
    $("filter-form").reset();
    send({type: "filter", data: {}});
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
