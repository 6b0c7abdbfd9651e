// Opens leadscore's HTML reports in headless Chromium, from file://, as a
// person would, and checks what each page does and shows: no network
// request of any kind, no console error, every chart drawn with a size,
// every number of a table (and of a line of words, such as the summary or
// an interval's two ends) equal to the JSON report of the same run and
// shown as that number, and the capacity control moving the threshold; on
// the backtest pages, the warnings shown, each rule's verdict written, the
// weekly crossings drawn, the suggested points and sales' verdicts.
//
// Run by .ci/run: npm ci && node --test, in this directory, after Debian's
// chromium is installed. LEADSCORE_BIN names the leadscore binary (default:
// built here with go build); LEADSCORE_CHROMIUM another browser binary;
// LEADSCORE_SCREENSHOT a PNG file to write the review page's top to (the
// docs/review.png, shown in docs/guide/review.md).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "leadscore-browser-"));
const td = (name) => join("testdata", name);

let bin = process.env.LEADSCORE_BIN;
let browser;

// The full backtest writes its proposed rule file beside the model, so it
// runs on a copy of the model (and the file it includes); sales' verdicts
// on its leads are made up in before(): every lead sales-ready the day
// before the window's end gets one, accepted, rejected or recycled in turn.
const model = join(dir, "model", "b2b-saas.yaml");
mkdirSync(join(dir, "model", "common"), { recursive: true });
copyFileSync(join(root, td("b2b-saas.yaml")), model);
copyFileSync(join(root, td("common/lists.yaml")), join(dir, "model", "common", "lists.yaml"));
const verdicts = join(dir, "verdicts.csv");

function makeVerdicts() {
  const scored = execFileSync(bin, ["score", "--model", td("b2b-saas.yaml"), "--at", "2026-09-30", "--quiet", td("backtest/leads.ndjson")],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 << 20 }).toString();
  const turns = [["accepted", ""], ["rejected", "too_small"], ["rejected", "not_icp"], ["recycled", "just_researching"]];
  const rows = ["lead_id,at,status,reason"];
  for (const line of scored.split("\n").filter(Boolean)) {
    const lead = JSON.parse(line);
    if (!lead.sales_ready) continue;
    const [status, reason] = turns[(rows.length - 1) % turns.length];
    rows.push(`${lead.id},2026-09-30T12:00:00Z,${status},${reason}`);
  }
  assert.ok(rows.length > 20, "enough sales-ready leads to judge");
  writeFileSync(verdicts, rows.join("\n") + "\n");
}

before(async () => {
  if (!bin) {
    bin = join(dir, "leadscore");
    execFileSync("go", ["build", "-o", bin, "./cmd/leadscore"], { cwd: root, stdio: "inherit" });
  }
  makeVerdicts();
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
  // With --backtest-at, the page sets the two versions' backtests side by side.
  diff: ["diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-01",
    "--outcomes", td("outcomes.csv"), "--backtest-at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week"],
  // The same leads as they stood a quarter earlier are the reference, so
  // the page has its drift section (drift.rules.N.id, counts, ratio, q).
  backtest: ["backtest", "--model", td("b2b-saas.yaml"), "--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week",
    "--outcomes", td("backtest/outcomes.csv"), "--reference", td("backtest/leads.ndjson"), "--reference-at", "2026-04-01", td("backtest/leads.ndjson")],
  // Every part of the backtest: suggested points (fitted, as 10 won deals
  // are enough here), sales' verdicts with their evidence against rules,
  // stability over snapshots.
  "backtest-full": ["backtest", "--model", model, "--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week",
    "--outcomes", td("backtest/outcomes.csv"), "--suggest", "-o", join(dir, "model", "proposed.yaml"), "--min-won", "10",
    "--dispositions", verdicts, "--every", "4w", "--from", "2026-04-01", td("backtest/leads.ndjson")],
  feedback: ["feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", td("dispositions.csv"), "--at", "2026-10-01"],
  feedbackAccounts: ["feedback", "--accounts", td("accounts/accounts.ndjson"), "--leads", td("accounts/leads.ndjson"), "--model", td("accounts/feedback/model.yaml"),
    "--dispositions", td("accounts/feedback/dispositions.csv"), "--outcomes", td("accounts/outcomes.csv"), "--at", "2026-10-01"],
  // The account backtest and what a change does to accounts.
  accountsBacktest: ["backtest", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", td("accounts/accounts.ndjson"),
    "--outcomes", td("accounts/outcomes.csv"), td("accounts/leads.ndjson")],
  diffAccounts: ["diff", td("accounts/model.yaml"), td("accounts/model-v2.yaml"), "--leads", td("accounts/leads.ndjson"),
    "--accounts", td("accounts/accounts.ndjson"), "--at", "2026-10-01"],
  // The joint review of the accounts example: its account view (score
  // --accounts summed up), what the change does to accounts, the account
  // backtest.
  reviewAccounts: ["report", "--model", td("accounts/attribution/model.yaml"), "--proposed", td("accounts/attribution/model-v2.yaml"),
    "--leads", td("accounts/attribution/leads.ndjson"), "--accounts", td("accounts/accounts.ndjson"), "--at", "2026-10-01",
    "--backtest-at", "2026-10-01", "--account-outcomes", td("accounts/outcomes.csv")],
  attribute: ["attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"),
    "--costs", td("costs.csv"), "--at", "2026-10-01", "--models", "first_touch,linear,w_shaped"],
  // The bundled holdout experiment (testdata/holdout/model.yaml): the
  // holdout section, its figures and verdicts the text report's.
  holdout: ["backtest", "--model", td("holdout/model.yaml"), "--at", "2026-07-01", "--until", "2026-10-01", "--holdout",
    "--outcomes", td("backtest/outcomes.csv"), td("backtest/leads.ndjson")],
  // The mix model calibrated by the bundled lift tests, beside the bundled
  // attribution (40 refits: the figures are the JSON's all the same).
  mix: ["mix", "--spend", td("mix/spend.csv"), "--kpi", td("mix/kpi.csv"), "--lift-tests", td("mix/lifts.csv"),
    "--attribution", td("mix/attribution.json"), "--bootstrap", "40"],
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
// for none, points of a difference of rates as "2.1 points" (signed:
// "+2.1 points"); and that, read back, it is the number to half a unit of
// its last digit (ties may round either way).
function checkShown({ path, value, format, text }) {
  if (value === "null") return assert.equal(text, "—", path);
  const decimals = { int: 0, money: 0, money2: 2, pct: 1, dec1: 1, dec2: 2, dec3: 3, dec4: 4, dec5: 5, points: 1, pointsdiff: 1 }[format];
  assert.notEqual(decimals, undefined, `${path}: unknown format ${format}`);
  const sign = format === "pointsdiff" ? "[+-]" : "-?";
  const unit = { pct: "%", points: " points", pointsdiff: " points" }[format] || "";
  const shape = new RegExp(`^${sign}\\d{1,3}(,\\d{3})*${decimals ? `\\.\\d{${decimals}}` : ""}${unit}$`);
  assert.match(text, shape, `${path}: ${text} is not written as ${format}`);
  let v = Number(value);
  if (unit) v *= 100;
  const read = Number(text.replace(/[,%]| points$/g, ""));
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

    // Every number shown is the JSON report's, and reads as that number:
    // a table's cells, and the numbers inside a cell or a line of words.
    const cells = await page.$$eval("[data-value]", (els) => els.map((el) => ({
      path: el.dataset.path || "", value: el.dataset.value, format: el.dataset.format, text: el.innerText.trim(), derived: el.classList.contains("d") })));
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

    if (name === "review" || name.startsWith("backtest")) { // the lead backtest's page (accountsBacktest has no threshold control)
      await checkCapacityControl(page);
      await checkBacktest(page, name === "review" ? doc.backtest : doc);
    }
    if (name === "backtest-full") await checkSuggestionAndVerdicts(page, doc);
    if (name === "reviewAccounts") {
      // The top accounts' table names the JSON's accounts, their roles
      // present and missing; the account backtest's section is there.
      const rows = await page.$$eval("#accounts table", (ts) => {
        const t = ts.find((x) => x.tHead && x.tHead.innerText.includes("roles missing"));
        return Array.from(t.tBodies[0].rows).map((r) => [0, 6, 7].map((i) => r.cells[i].innerText.trim()));
      });
      assert.deepEqual(rows, doc.accounts.top.map((a) => [a.id, a.present_roles.join(", ") || "—", a.missing_roles.join(", ") || "—"]));
      assert.ok(await page.locator("#backtest-accounts").isVisible(), "the account backtest is on the page");
      assert.ok(await page.locator("#change-accounts").isVisible(), "what the change does to accounts is on the page");
    }
    if (name === "mix") await checkMix(page, doc);
    if (name === "holdout") await checkHoldout(page, doc, readFileSync(write(name, args, "table"), "utf8"));
    if (name === "backtest") {
      // Each rule's drift row names the rule by the JSON's id, shifted ones first.
      const rows = await page.$$eval("#drift table", (ts) => Array.from(ts[1].tBodies[0].rows).map((r) => [r.cells[0].innerText.trim(), r.cells[11].innerText.trim()]));
      assert.deepEqual(rows, doc.drift.rules.map((r) => [r.id, r.shifted ? "yes" : "no"]), "the drift table's rules and shifted are the JSON's");
      assert.ok(rows.some(([, s]) => s === "yes"), "a rule shifted");
    }
    if (name === "review" && process.env.LEADSCORE_SCREENSHOT) {
      // The first screen, as it opens at 1440×900: the tiles and what to change.
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
      await page.screenshot({ path: process.env.LEADSCORE_SCREENSHOT });
    }
    await checkFirstScreen(page, name);
    await checkSorting(page);
    if (name === "review") {
      await checkPhone(page);
      await checkPrint(page, 12);
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
      labels: ["capacity-marker-label", "capacity-marker-won-label"].map((id) => {
        const l = document.getElementById(id);
        return [l.getAttribute("x"), l.textContent];
      }),
    };
  }, now);
  assert.ok(state.on, "the slider's row is highlighted");
  assert.ok(state.readout.length >= 5);
  assert.deepEqual(state.readout, state.cells, "the readout shows the slider's row");
  assert.deepEqual(state.markers, [state.x, state.x], "both charts' markers stand at the threshold");
  const label = ["threshold " + state.cells[0], state.x];
  assert.deepEqual(state.labels.map(([x, text]) => [text, x]), [label, label], "each marker's label names the threshold it stands at");
}

// checkBacktest checks what the backtest's sections answer first: the
// warnings, shown and visible under the heading; the summary; each rule's
// verdict written as a word (its badge beside); the weekly crossings drawn.
async function checkBacktest(page, bt) {
  assert.ok(bt.warnings.length > 0, "the backtest has warnings to show");
  const warnings = await page.$$eval("#backtest > ul.warnings li", (lis) => lis.map((li) => {
    const r = li.getBoundingClientRect();
    return { text: li.innerText.trim(), visible: r.width > 0 && r.height > 0 && getComputedStyle(li).visibility === "visible" };
  }));
  assert.deepEqual(warnings.map((w) => w.text), bt.warnings.map((w) => `Warning: ${w}`), "every warning of the JSON, in order");
  assert.ok(warnings.every((w) => w.visible), "the warnings are visible");
  const first = await page.$eval("#backtest h2", (h) => h.nextElementSibling.className);
  assert.equal(first, "warnings", "the warnings come right after the heading");
  const summary = await page.$$eval("#backtest > ul.summary li", (lis) => lis.map((li) => li.innerText.trim()));
  for (const start of ["AUC ", "The sales-ready definition picked ", "Rules: ", "Capacity: "]) {
    assert.ok(summary.some((l) => l.startsWith(start)), `the summary has a line on ${start.trim()}`);
  }

  const rules = await page.$$eval("#rules-signal table", (ts) => Array.from(ts[0].tBodies[0].rows).map((r) => ({
    id: r.cells[0].innerText.trim(), verdict: r.cells[2].innerText.trim(), badge: r.cells[2].querySelector(".badge")?.className || "" })));
  assert.deepEqual(rules.map((r) => [r.id, r.verdict]), bt.rules.map((r) => [r.id, r.verdict]), "each rule's verdict, in words, as the JSON has it");
  assert.ok(rules.every((r) => r.badge.startsWith("badge b-")), "each verdict has its badge");

  const weekly = await page.$$eval("#capacity svg", (svgs) => svgs.filter((s) => s.getAttribute("aria-label").startsWith("Leads crossing")).map((s) => {
    const r = s.getBoundingClientRect();
    return { bars: s.querySelectorAll("rect[fill] > title").length, dots: s.querySelectorAll("circle").length, w: r.width, h: r.height };
  }));
  assert.equal(weekly.length, 1, "the weekly crossings have their chart");
  assert.equal(weekly[0].bars, bt.capacity.weekly.length, "a bar for each week");
  assert.equal(weekly[0].dots, bt.capacity.weekly.length, "a point of the current definition's hand-offs for each week");
  assert.ok(weekly[0].w >= 300 && weekly[0].h >= 100, `the weekly chart is ${weekly[0].w}×${weekly[0].h} pixels`);
  const trend = await page.$eval("#capacity", (s) => s.innerText);
  assert.match(trend, /Trend of the crossings at /, "the trend in words");
}

// checkHoldout checks the holdout section against the JSON and the text
// report of the same run: its summary is the text report's holdout lines,
// word for word; each comparison's verdict cell says the JSON's decision
// and, when withheld, its reason; the split's p-values are the JSON's.
async function checkHoldout(page, doc, text) {
  const h = doc.holdout;
  assert.ok(h, "the JSON report has the holdout");
  const summary = await page.$$eval("#holdout ul.summary li", (lis) => lis.map((li) => li.innerText.trim()));
  assert.deepEqual(summary, text.split("\n").filter((l) => l.startsWith("Holdout (")), "the summary is the text report's holdout lines");
  const cmps = [h, h.overall].filter(Boolean);
  const tables = await page.$$eval("#holdout table", (ts) => ts.map((t) => Array.from(t.tBodies[0].rows).map((r) => Array.from(r.cells).map((c) => c.innerText.trim()))));
  const lift = tables.find((t) => t.length === cmps.length && t[0].length === 10);
  assert.ok(lift, "the lift table");
  assert.deepEqual(lift.map((r) => r[9]), cmps.map((c) => c.decision === "withheld" ? `withheld: ${c.withheld_reason}` : c.decision), "each verdict, or why it is withheld");
  const split = await page.$$eval("#holdout [data-path$='sample_ratio.p_value']", (els) => els.map((e) => e.dataset.path));
  assert.equal(split.length, cmps.length, "the split's test for each comparison");
  const groups = await page.$$eval("#holdout svg", (svgs) => svgs.map((s) => s.querySelectorAll("circle").length));
  assert.deepEqual(groups, [2 * cmps.length], "the win rate of each group drawn with its interval");
}

// checkSuggestionAndVerdicts checks the suggested points' decision and
// table, and the verdict view's evidence rows, against the JSON.
async function checkSuggestionAndVerdicts(page, doc) {
  const s = doc.suggestion;
  assert.ok(s && !s.withheld, "the suggestion is fitted");
  const decision = await page.$eval("#suggestion ul.summary li", (li) => li.innerText.trim());
  assert.equal(decision, `Decision: ${s.decision}: ${s.why}.`);
  const points = await page.$$eval("#suggestion table", (ts) => Array.from(ts[ts.length - 1].tBodies[0].rows).map((r) => [r.cells[0].innerText.trim(), r.cells[7].innerText.trim()]));
  assert.deepEqual(points, s.rules.map((r) => [r.rule, r.kept || ""]), "each rule with its note");

  const ev = doc.verdict_view.evidence;
  assert.ok(ev && ev.length > 0, "rejections give evidence against rules");
  const rows = await page.$$eval("#verdicts table", (ts) => Array.from(ts[ts.length - 1].tBodies[0].rows).map((r) => [r.cells[0].innerText.trim(), r.cells[1].innerText.trim()]));
  assert.deepEqual(rows, ev.map((e) => [e.reason, e.rule]), "each evidence row's reason and rule");
}

// checkFirstScreen checks that, at 1440×900, every headline tile (data-kpi)
// and the first of "What to change" are on the first screen, before any
// section of detail; each tile's figure is the JSON's (checked with every
// number above).
async function checkFirstScreen(page, name) {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const tiles = await page.$$eval("[data-kpi]", (els) => els.map((el) => ({ kpi: el.dataset.kpi, bottom: el.closest(".tile").getBoundingClientRect().bottom })));
  assert.ok(tiles.length >= 1, `${name}: the page has its tiles`);
  for (const t of tiles) assert.ok(t.bottom <= 900, `${name}: the ${t.kpi} tile is on the first screen (bottom at ${t.bottom} px)`);
  const first = await page.$eval("section", (s) => s.id);
  assert.equal(first, "summary", `${name}: the summary is the first section`);
  const change = await page.$("ol.changes li");
  if (change) {
    const top = await change.evaluate((li) => li.getBoundingClientRect().top);
    assert.ok(top < 900, `${name}: what to change starts on the first screen`);
  }
  await page.setViewportSize({ width: 1280, height: 1000 });
}

// checkSorting presses the head of a sortable table's column of numbers
// and checks the rows come in order of their values (none last).
async function checkSorting(page) {
  const sorted = await page.evaluate(() => {
    for (const table of document.querySelectorAll("table[data-sort]")) {
      const rows = table.tBodies[0].rows;
      if (rows.length < 3) continue;
      for (let c = 0; c < rows[0].cells.length; c++) {
        if (rows[0].cells[c].dataset.value === undefined) continue;
        table.tHead.rows[0].cells[c].querySelector("button").click();
        const vals = Array.from(table.tBodies[0].rows).map((r) => r.cells[c].dataset.value);
        return { vals, sort: table.tHead.rows[0].cells[c].getAttribute("aria-sort") };
      }
    }
    return null;
  });
  if (!sorted) return;
  assert.equal(sorted.sort, "ascending");
  const nums = sorted.vals.filter((v) => v !== "null").map(Number);
  assert.deepEqual(nums, [...nums].sort((a, b) => a - b), "the rows in order of the column");
  assert.deepEqual(sorted.vals.slice(nums.length), sorted.vals.filter((v) => v === "null"), "none last");
}

// checkPhone checks the page at 390 px wide: no text under 11 px (chart
// text scaled as drawn), no table wider than its box, nothing wider than
// the screen.
async function checkPhone(page) {
  await page.setViewportSize({ width: 390, height: 844 });
  const r = await page.evaluate(() => {
    const small = [];
    for (const el of document.querySelectorAll("body *")) {
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
      const box = el.getBoundingClientRect();
      if (!box.width || getComputedStyle(el).display === "none") continue;
      let px = parseFloat(getComputedStyle(el).fontSize);
      const svg = el.closest("svg");
      if (svg) px *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      if (px < 10.95) small.push(`${el.tagName} ${px.toFixed(1)} px: ${el.textContent.trim().slice(0, 30)}`);
    }
    const wide = [...document.querySelectorAll(".numbers")].filter((d) => d.scrollWidth > d.clientWidth + 1).map((d) => d.querySelector("caption")?.textContent || d.querySelector("table")?.id);
    return { small, wide, width: document.documentElement.scrollWidth };
  });
  assert.deepEqual(r.small.slice(0, 5), [], "no text under 11 px at 390 px");
  assert.deepEqual(r.wide, [], "no table scrolls sideways at 390 px");
  assert.ok(r.width <= 390, `the page is ${r.width} px wide at 390`);
  await page.setViewportSize({ width: 1280, height: 1000 });
}

// checkPrint prints the page on Letter paper and counts the pages.
async function checkPrint(page, most) {
  await page.emulateMedia({ media: "print" });
  // A sortable table's heads print as words (Chromium printed a button in
  // a header repeated on the next page blank).
  const heads = await page.$$eval("th[data-head]", (ths) => ths.map((th) => [th.dataset.head, getComputedStyle(th, "::before").content, getComputedStyle(th.querySelector("button")).display]));
  for (const [text, before, button] of heads) assert.deepEqual([before, button], [JSON.stringify(text), "none"], `the head ${text} prints as its words`);
  const pdf = await page.pdf({ format: "Letter", printBackground: true });
  await page.emulateMedia({ media: "screen" });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages > 0 && pages <= most, `the review prints on ${pages} Letter pages; at most ${most}`);
}

// checkMix checks the mix page's words against the JSON: each channel's
// verdict, each lift test's agreement before and after, each channel's
// attribution models that disagree with the mix model, and the warnings on
// the first screen.
async function checkMix(page, doc) {
  const cells = (sel, cols) => page.$$eval(sel, (rows, cols) => rows.map((r) => cols.map((c) => r.cells[c].innerText.trim())), cols);
  assert.deepEqual(await cells("#mix-channels tbody tr", [0, 10]), doc.channels.map((c) => [c.name, c.verdict]), "each channel's verdict");
  const yes = (b) => (b ? "yes" : "no");
  assert.deepEqual(await cells("#mix-calibration tbody tr", [0, 11, 12]), doc.calibration.map((c) => [c.channel, yes(c.agrees_before), yes(c.agrees_after)]),
    "each lift test's agreement");
  const last = 3 + 2 * doc.comparison_models.length; // each model's share and its interval
  assert.deepEqual(await cells("#mix-comparison tbody tr", [0, last]), doc.comparison.map((c) => [c.channel, c.disagrees.length ? c.disagrees.join(", ") : "none"]),
    "the models that disagree with the mix model, by channel");
  assert.ok(doc.comparison.some((c) => c.disagrees.length > 0), "the bundled example has disagreements to show");
  const warnings = await page.$$eval("#summary ul.warnings li", (lis) => lis.map((li) => li.innerText.trim()));
  assert.deepEqual(warnings, doc.warnings.map((w) => `Warning: ${w.message}`), "every warning of the JSON on the first screen");
}
