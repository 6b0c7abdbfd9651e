// Opens leadscore's HTML reports in headless Chromium, from file://, as a
// person would, and checks what each page does and shows: no network
// request of any kind, no console error, every chart drawn with a size,
// every number of a table equal to the JSON report of the same run and shown
// as that number, and the capacity control moving the threshold.
//
// Run by .ci/run: npm ci && node --test, in this directory, after Debian's
// chromium is installed. LEADSCORE_BIN names the leadscore binary (default:
// built here with go build); LEADSCORE_CHROMIUM another browser binary;
// LEADSCORE_SCREENSHOT a PNG file to write the review page's top to (the
// README's docs/review.png).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "leadscore-browser-"));
const td = (name) => join("testdata", name);

let bin = process.env.LEADSCORE_BIN;
let browser;

before(async () => {
  if (!bin) {
    bin = join(dir, "leadscore");
    execFileSync("go", ["build", "-o", bin, "./cmd/leadscore"], { cwd: root, stdio: "inherit" });
  }
  browser = await chromium.launch({
    executablePath: process.env.LEADSCORE_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-extensions"],
  });
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reports = {
  review: ["report", "--model", td("b2b-saas.yaml"), "--proposed", td("b2b-saas-v2.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-01",
    "--outcomes", td("outcomes.csv"), "--costs", td("costs.csv"), "--dispositions", td("dispositions.csv"),
    "--backtest-at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week",
    "--backtest-leads", td("backtest/leads.ndjson"), "--backtest-outcomes", td("backtest/outcomes.csv")],
  diff: ["diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-01"],
  // The same leads as they stood a quarter earlier are the reference, so
  // the page has its drift section (drift.rules.N.id, counts, ratio, q).
  backtest: ["backtest", "--model", td("b2b-saas.yaml"), "--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week",
    "--outcomes", td("backtest/outcomes.csv"), "--reference", td("backtest/leads.ndjson"), "--reference-at", "2026-04-01", td("backtest/leads.ndjson")],
  feedback: ["feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", td("dispositions.csv"), "--at", "2026-10-01"],
  attribute: ["attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"),
    "--costs", td("costs.csv"), "--at", "2026-10-01", "--models", "first_touch,linear,w_shaped"],
};

function write(name, args, format) {
  const out = join(dir, `${name}.${format}`);
  writeFileSync(out, execFileSync(bin, [...args, "--format", format], { cwd: root, stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 << 20 }));
  return out;
}

// lookup follows a path such as impact.moves.3.leads into the JSON report.
function lookup(doc, path) {
  let v = doc;
  for (const step of path.split(".")) {
    if (v === null || typeof v !== "object" || !(step in v)) return undefined;
    v = v[step];
  }
  return v;
}

// checkShown checks that a cell's text is its number as a person reads it,
// written here independently of the page's Go code: thousands grouped with
// commas, the format's number of decimals, fractions as percentages, "—"
// for none; and that, read back, it is the number to half a unit of its
// last digit (ties may round either way).
function checkShown({ path, value, format, text }) {
  if (value === "null") return assert.equal(text, "—", path);
  const decimals = { int: 0, money: 0, pct: 1, dec1: 1, dec2: 2, dec3: 3 }[format];
  assert.notEqual(decimals, undefined, `${path}: unknown format ${format}`);
  const shape = new RegExp(`^-?\\d{1,3}(,\\d{3})*${decimals ? `\\.\\d{${decimals}}` : ""}${format === "pct" ? "%" : ""}$`);
  assert.match(text, shape, `${path}: ${text} is not written as ${format}`);
  let v = Number(value);
  if (format === "pct") v *= 100;
  const read = Number(text.replace(/[,%]/g, ""));
  assert.ok(Math.abs(read - v) <= 0.5 * 10 ** -decimals + 1e-9, `${path}: shown ${text} for ${value}`);
  assert.ok(!(read === 0 && text.startsWith("-")), `${path}: ${text} has a sign on zero`);
}

for (const [name, args] of Object.entries(reports)) {
  test(`${name}: the page in Chromium`, async () => {
    const htmlFile = write(name, args, "html");
    const doc = JSON.parse(readFileSync(write(name, args, "json"), "utf8"));
    const url = pathToFileURL(htmlFile).href;
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const requests = [], problems = [];
    context.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
    await page.goto(url, { waitUntil: "load" });

    // Every chart drawn, with a size.
    const charts = (readFileSync(htmlFile, "utf8").match(/<svg /g) || []).length;
    const sizes = await page.$$eval("svg", (svgs) => svgs.map((s) => { const r = s.getBoundingClientRect(); return [r.width, r.height]; }));
    assert.ok(charts > 0, "the page has charts");
    assert.equal(sizes.length, charts, "every chart is in the document");
    sizes.forEach(([w, h], i) => assert.ok(w >= 100 && h >= 40, `chart ${i} is ${w}×${h} pixels`));

    // Every number shown is the JSON report's, and reads as that number.
    const cells = await page.$$eval("td[data-value]", (tds) => tds.map((td) => ({
      path: td.dataset.path || "", value: td.dataset.value, format: td.dataset.format, text: td.innerText.trim(), derived: td.classList.contains("d") })));
    let checked = 0;
    for (const c of cells) {
      if (c.path === "") {
        assert.ok(c.derived, `a number without its place in the JSON report: ${JSON.stringify(c)}`);
      } else {
        const want = lookup(doc, c.path);
        assert.notEqual(want, undefined, `${c.path}: not in the JSON report`);
        if (want === null) assert.equal(c.value, "null", c.path);
        else assert.equal(Number(c.value), want, `${c.path}: the JSON report has ${want}, the page ${c.value}`);
        checked++;
      }
      checkShown(c);
    }
    assert.ok(checked >= 20, `only ${checked} numbers checked`);

    if (name === "review" || name === "backtest") await checkCapacityControl(page);
    if (name === "backtest") {
      // Each rule's drift row names the rule by the JSON's id, shifted ones first.
      const rows = await page.$$eval("#drift table", (ts) => Array.from(ts[1].tBodies[0].rows).map((r) => [r.cells[0].innerText.trim(), r.cells[11].innerText.trim()]));
      assert.deepEqual(rows, doc.drift.rules.map((r) => [r.id, r.shifted ? "yes" : "no"]), "the drift table's rules and shifted are the JSON's");
      assert.ok(rows.some(([, s]) => s === "yes"), "a rule shifted");
    }
    if (name === "review" && process.env.LEADSCORE_SCREENSHOT) {
      // The top of the page, as it opens: the definition and the change.
      await page.setViewportSize({ width: 1280, height: 1800 });
      await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
      await page.screenshot({ path: process.env.LEADSCORE_SCREENSHOT });
    }
    await context.close();
    assert.deepEqual(requests.filter((u) => u !== url), [], "the page made no request but for itself");
    assert.deepEqual(problems, [], "no console error or warning");
  });
}

// checkCapacityControl moves the threshold with the keyboard, as a person
// would, and checks that the marker and the numbers shown follow.
async function checkCapacityControl(page) {
  const slider = page.locator("#capacity-slider");
  const start = Number(await slider.inputValue());
  await slider.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  const now = Number(await slider.inputValue());
  assert.equal(now, start + 3, "three steps right move the threshold three rows");
  const state = await page.evaluate((i) => {
    const row = document.querySelector("#capacity-curve").tBodies[0].rows[i];
    return {
      on: row.classList.contains("on"),
      cells: Array.from(row.cells).map((c) => c.innerText.trim()),
      readout: Array.from(document.querySelectorAll("#capacity-readout b")).map((b) => b.innerText.trim()),
      x: row.dataset.x,
      markers: ["capacity-marker", "capacity-marker-won"].map((id) => document.getElementById(id).getAttribute("x1")),
    };
  }, now);
  assert.ok(state.on, "the slider's row is highlighted");
  assert.ok(state.readout.length >= 5);
  assert.deepEqual(state.readout, state.cells, "the readout shows the slider's row");
  assert.deepEqual(state.markers, [state.x, state.x], "both charts' markers stand at the threshold");
}
