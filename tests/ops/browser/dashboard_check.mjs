// Drives the gateway's dashboard in Debian's Chromium (headless, through playwright-core; no
// browser is downloaded) and checks what a user sees: the devices recorded before the page opened
// (from the snapshot), devices with values and sparklines, the alert feed with severity colours,
// the /stats figures, a device filter narrowing the table and its clearing bringing the others
// back (from a snapshot), and, after the network was cut and the gateway restarted while records
// were produced, every alert in the feed exactly once (resume and dedupe by position).
// Usage: node dashboard_check.mjs <dashboard URL> <screenshot.png> <steps dir>
// For what only the test's side can do (produce records, cut the network, restart the gateway)
// it prints "@step <name>" and waits for <steps dir>/<name>.done.
// Exit status 0 when every check passed; the failed check otherwise, on stderr.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";

const [url, screenshot, stepsDir] = process.argv.slice(2);
if (!url || !screenshot || !stepsDir) {
  console.error("usage: node dashboard_check.mjs <url> <screenshot.png> <steps dir>");
  process.exit(2);
}
// Generous: the machine may be busy. Waits end as soon as their condition holds.
const timeout = 60000;
// A reconnect waits out the page's backoff (up to 20 s) after the network is back.
const reconnectTimeout = 150000;
const problems = [];

// The test's side does `name` and answers with a file.
async function testSide(name) {
  console.log("@step " + name);
  const done = join(stepsDir, name + ".done");
  const deadline = Date.now() + 180000;
  while (!existsSync(done)) {
    if (Date.now() > deadline) throw new Error("the test did not do step " + name);
    await sleep(100);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.IIOT_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failed = false;
try {
  // The page's Content-Security-Policy forbids eval, which Playwright's waiting functions use.
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => {
    // A refused connection while the network is cut is what the test does, not a fault.
    if (m.type() === "error" && !/WebSocket|ERR_CONNECTION|ERR_EMPTY_RESPONSE|Failed to load resource|Failed to fetch/.test(m.text())) {
      problems.push("console: " + m.text());
    }
  });
  // Works offline: any request that leaves the gateway's origin is a failure.
  const origin = new URL(url).origin;
  await page.route("**/*", (route) => {
    const target = route.request().url();
    if (!target.startsWith(origin)) {
      problems.push("request outside the gateway: " + target);
      return route.abort();
    }
    return route.continue();
  });

  const step = async (what, action) => {
    try { await action(); } catch (e) { throw new Error(what + ": " + e.message.split("\n")[0]); }
    console.log("ok: " + what);
  };
  const seqOf = (id) => page.evaluate((d) =>
    document.querySelector(`#devices tbody tr[data-device-id="${d}"] [data-sensor="seq"] .value`)?.textContent ?? null, id);
  const plant = ["dash-0", "dash-1", "dash-2", "dash-3", "dash-4"];

  await step("the page loads", () => page.goto(url, { timeout }));
  await step("the WebSocket opens", () => page.waitForSelector("#connection.state-open", { timeout }));

  // Three records of each device were produced before the page opened, and none since: the
  // table can only have them from the snapshot its filter asked for.
  await step("the devices recorded before the page opened appear from the snapshot", () => page.waitForFunction((ids) => {
    const rows = [...document.querySelectorAll("#devices tbody tr")];
    return rows.length === ids.length && ids.every((id) =>
      document.querySelector(`#devices tbody tr[data-device-id="${id}"] [data-sensor="seq"] .value`)?.textContent === "2" &&
      document.querySelector(`#devices tbody tr[data-device-id="${id}"] [data-sensor="temperature"] .value`)?.textContent !== "");
  }, plant, { timeout }));

  await testSide("traffic-on");
  await step("several devices update with values", () => page.waitForFunction(() =>
    [...document.querySelectorAll('#devices tbody [data-sensor="seq"] .value')].some((v) => Number(v.textContent) > 2),
    null, { timeout }));
  await step("sparklines draw the history", () => page.waitForFunction(() =>
    [...document.querySelectorAll("#devices polyline")]
      .some((p) => (p.getAttribute("points") || "").split(" ").length >= 3), null, { timeout }));
  await step("alerts appear, coloured by severity", () => page.waitForFunction(() =>
    !!document.querySelector("#alerts li.severity-critical") && !!document.querySelector("#alerts li.severity-warning"),
    null, { timeout }));
  const colours = await page.evaluate(() => ["critical", "warning"].map((s) =>
    getComputedStyle(document.querySelector("#alerts li.severity-" + s)).borderLeftColor));
  if (colours[0] === colours[1]) problems.push("critical and warning alerts have the same colour " + colours[0]);
  await step("the /stats figures show records", () => page.waitForFunction(() =>
    Number(document.querySelector('[data-stat="total_messages"] b')?.textContent) > 0, null, { timeout }));

  await page.screenshot({ path: screenshot, fullPage: true });

  // A device filter narrows the table to that device and keeps it so as events go on.
  await page.fill("#f-device-ids", "dash-1");
  await step("the filter is acknowledged", async () => {
    await page.click("#filter-apply");
    await page.waitForFunction(() => document.getElementById("filter-state").textContent.includes("dash-1"),
                               null, { timeout });
  });
  await step("the table narrows to the device", () => page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#devices tbody tr")];
    return rows.length === 1 && rows[0].dataset.deviceId === "dash-1";
  }, null, { timeout }));
  const before = await seqOf("dash-1");
  await step("the device keeps updating", () => page.waitForFunction((b) =>
    document.querySelector('#devices tbody tr[data-device-id="dash-1"] [data-sensor="seq"] .value')?.textContent !== b,
    before, { timeout }));
  const rows = await page.$$eval("#devices tbody tr", (r) => r.map((x) => x.dataset.deviceId));
  if (rows.length !== 1 || rows[0] !== "dash-1") problems.push("other devices came back: " + rows.join(", "));
  const alertDevices = await page.$$eval("#alerts li .meta", (m) => m.map((x) => x.textContent));
  if (alertDevices.length === 0) problems.push("no alerts listed");

  // Clearing the filter brings every device back, with nothing produced any more: from the
  // snapshot the new filter asked for.
  await testSide("traffic-off");
  await step("clearing the filter brings the others back from the snapshot", async () => {
    await page.click("#filter-clear");
    await page.waitForFunction((ids) => ids.every((id) =>
      !!document.querySelector(`#devices tbody tr[data-device-id="${id}"]`)), plant, { timeout });
  });

  // Alerts the page shows, then the network is cut and the gateway restarted while more alerts
  // and records are produced, then more alerts once the page is back.
  const resumeAlerts = (n) => Array.from({ length: n }, (_, i) => "rs-al-" + i);
  const allShown = (ids) => page.waitForFunction((wanted) => wanted.every((id) =>
    !!document.querySelector(`#alerts li[data-alert-id="${id}"]`)), ids, { timeout: reconnectTimeout });
  await testSide("alerts-before-cut");
  await step("the alerts before the cut appear", () => allShown(resumeAlerts(5)));
  await testSide("cut");
  // The alerts produced while the page was away had all been consumed by the restarted gateway
  // before the page could reach it: only a resume brings them.
  await step("the page reconnects and the alerts produced while it was away appear", () => allShown(resumeAlerts(10)));
  await step("the page says it has caught up", () => page.waitForFunction(() =>
    document.getElementById("connection").classList.contains("state-open") &&
    document.getElementById("resume-state").classList.contains("resume-ok"), null, { timeout }));
  const resumed = await page.textContent("#resume-state");
  console.log("resume state: " + resumed);
  // At least the alerts produced since the page's cursor: five it had shown, five it had not.
  const replayed = Number((/(\d+) events replayed/.exec(resumed) || [])[1]);
  if (!(replayed >= 10)) problems.push("the resume replayed too little: " + resumed);
  await step("the records produced while the page was away appear", () => page.waitForFunction((ids) =>
    ids.every((id) => document.querySelector(
      `#devices tbody tr[data-device-id="${id}"] [data-sensor="seq"] .value`)?.textContent === "1000"),
    [...plant, "dash-5"], { timeout }));
  await testSide("alerts-after-reconnect");
  await step("the alerts after the reconnect appear", () => allShown(resumeAlerts(15)));

  // Every alert exactly once, those of the resume and every other.
  const feed = await page.$$eval("#alerts li", (items) => items.map((li) => [li.dataset.alertId, li.dataset.pos]));
  const count = new Map();
  for (const [id] of feed) count.set(id, (count.get(id) || 0) + 1);
  for (const id of resumeAlerts(15)) {
    if (count.get(id) !== 1) problems.push(`alert ${id} is listed ${count.get(id) || 0} times`);
  }
  const repeated = [...count].filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n} times)`);
  if (repeated.length > 0) problems.push("alerts listed more than once: " + repeated.join(", "));
  if (new Set(feed.map(([, pos]) => pos)).size !== feed.length) problems.push("two alerts have the same position");
  if (feed.some(([, pos]) => !pos)) problems.push("an alert without its position");
  const shownCount = Number(await page.textContent("#alert-count"));
  if (shownCount !== feed.length) problems.push(`the alert count says ${shownCount}, the feed lists ${feed.length}`);
} catch (e) {
  failed = true;
  console.error("dashboard check failed: " + e.message);
} finally {
  await browser.close();
}
for (const p of problems) console.error(p);
if (failed || problems.length > 0) process.exit(1);
console.log("dashboard check passed; screenshot " + screenshot);
