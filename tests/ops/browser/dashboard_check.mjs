// Drives the gateway's dashboard in Debian's Chromium (headless, through playwright-core; no
// browser is downloaded) and checks what a user sees: devices with values and sparklines, the
// alert feed with severity colours, the /stats figures, and a device filter narrowing the table.
// Usage: node dashboard_check.mjs <dashboard URL> <screenshot.png>
// Exit status 0 when every check passed; the failed check otherwise, on stderr.
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error("usage: node dashboard_check.mjs <url> <screenshot.png>");
  process.exit(2);
}
const timeout = 30000;
const problems = [];

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
  page.on("console", (m) => { if (m.type() === "error") problems.push("console: " + m.text()); });
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
  };

  await step("the page loads", () => page.goto(url, { timeout }));
  await step("the WebSocket opens", () => page.waitForSelector("#connection.state-open", { timeout }));
  await step("several devices appear with values", () => page.waitForFunction(() =>
    document.querySelectorAll("#devices tbody tr").length >= 3 &&
    document.querySelector("#devices tbody .sensor .value")?.textContent !== "", null, { timeout }));
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
  const seq = () => page.textContent('#devices tbody tr[data-device-id="dash-1"] [data-sensor="seq"] .value');
  const before = await seq();
  await step("the device keeps updating", () => page.waitForFunction((b) =>
    document.querySelector('#devices tbody tr[data-device-id="dash-1"] [data-sensor="seq"] .value')?.textContent !== b,
    before, { timeout }));
  const rows = await page.$$eval("#devices tbody tr", (r) => r.map((x) => x.dataset.deviceId));
  if (rows.length !== 1 || rows[0] !== "dash-1") problems.push("other devices came back: " + rows.join(", "));
  const alertDevices = await page.$$eval("#alerts li .meta", (m) => m.map((x) => x.textContent));
  if (alertDevices.length === 0) problems.push("no alerts listed");

  // Clearing the filter brings every device back.
  await step("clearing the filter brings the others back", async () => {
    await page.click("#filter-clear");
    await page.waitForFunction(() => document.querySelectorAll("#devices tbody tr").length >= 3, null, { timeout });
  });
} catch (e) {
  failed = true;
  console.error("dashboard check failed: " + e.message);
} finally {
  await browser.close();
}
for (const p of problems) console.error(p);
if (failed || problems.length > 0) process.exit(1);
console.log("dashboard check passed; screenshot " + screenshot);
