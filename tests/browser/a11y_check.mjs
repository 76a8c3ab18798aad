// Accessibility check of pages in Debian's Chromium (/usr/bin/chromium),
// driven by playwright-core, with axe-core (WCAG 2.0 and 2.1, levels A and
// AA). No browser is downloaded.
//
// Usage: node a11y_check.mjs [--cookie NAME=VALUE] [--screenshot FILE] URL...
//   --cookie NAME=VALUE  a cookie sent with every page (e.g. a session)
//   --screenshot FILE    a full-page PNG of the first URL
//   CHROMIUM             the browser to drive (default /usr/bin/chromium)
//
// Prints a JSON report on stdout:
//   {"pages":[{"url","finalUrl","status","title","violations":[{"id","impact","help",
//     "helpUrl","tags","nodes":[{"target","html","summary"}]}]}]}
// and one line per page on stderr.  Exits 0 when no page has a violation,
// 1 when one has (or a page cannot be checked), 2 on bad usage.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { createRequire } from "node:module";

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const TIMEOUT = 30000;

function usage(message) {
  if (message) {
    console.error(message);
  }
  console.error("usage : node a11y_check.mjs [--cookie NOM=VALEUR] [--screenshot FICHIER] URL...");
  process.exit(2);
}

const urls = [];
const cookies = [];
let screenshot = null;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--cookie") {
    const v = args[++i];
    if (!v || !v.includes("=")) {
      usage("--cookie attend NOM=VALEUR");
    }
    const eq = v.indexOf("=");
    cookies.push({ name: v.slice(0, eq), value: v.slice(eq + 1) });
  } else if (a === "--screenshot") {
    screenshot = args[++i];
    if (!screenshot) {
      usage("--screenshot attend un nom de fichier");
    }
  } else if (/^https?:\/\//.test(a)) {
    urls.push(a);
  } else {
    usage(`argument inconnu : ${a}`);
  }
}
if (!urls.length) {
  usage("aucune adresse à vérifier");
}

let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  console.error(
    "ÉCHEC : playwright-core est introuvable (tests/browser/node_modules) ; " +
      "lancez scripts/install-deps.\n" + e.message,
  );
  process.exit(1);
}
let axeSource;
try {
  const require = createRequire(import.meta.url);
  axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
} catch (e) {
  console.error(
    "ÉCHEC : axe-core est introuvable (tests/browser/node_modules) ; " +
      "lancez scripts/install-deps.\n" + e.message,
  );
  process.exit(1);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
if (!fs.existsSync(executablePath)) {
  console.error(`ÉCHEC : Chromium est introuvable (${executablePath}) ; lancez scripts/install-deps.`);
  process.exit(1);
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "moisinno-a11y-"));
const report = { pages: [] };
let context;
let status = 0;
try {
  // The pages forbid inline scripts (Content-Security-Policy): the checker
  // is injected through the DevTools protocol, which the policy does not
  // govern, and bypassCSP keeps it so for any script axe adds itself.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    timeout: 60000,
    bypassCSP: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    locale: "fr-FR",
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  if (cookies.length) {
    await context.addCookies(cookies.map((c) => ({ ...c, url: urls[0] })));
  }
  const page = context.pages()[0] || (await context.newPage());
  for (const [n, url] of urls.entries()) {
    const entry = { url, finalUrl: null, status: null, title: null, violations: [] };
    report.pages.push(entry);
    try {
      const resp = await page.goto(url, { waitUntil: "load" });
      entry.status = resp ? resp.status() : null;
      entry.finalUrl = page.url();
      entry.title = await page.title();
      if (n === 0 && screenshot) {
        fs.mkdirSync(path.dirname(path.resolve(screenshot)), { recursive: true });
        await page.screenshot({ path: screenshot, fullPage: true });
      }
      await page.evaluate(axeSource);
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
        TAGS,
      );
      entry.violations = result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        tags: v.tags,
        nodes: v.nodes.map((nd) => ({
          target: nd.target,
          html: nd.html,
          summary: nd.failureSummary,
        })),
      }));
      console.error(
        `${entry.violations.length ? "ÉCHEC" : "ok"} ${url} (${entry.status}) : ` +
          `${entry.violations.length} violation(s)` +
          entry.violations.map((v) => `\n   - ${v.id} [${v.impact}] ${v.help} (${v.nodes.length} élément(s))`).join(""),
      );
      if (entry.violations.length) {
        status = 1;
      }
    } catch (e) {
      entry.error = e.message || String(e);
      status = 1;
      console.error(`ÉCHEC ${url} : ${entry.error}`);
    }
  }
} catch (e) {
  status = 1;
  report.error = e.stack || String(e);
  console.error(`ÉCHEC : ${report.error}`);
} finally {
  if (context) {
    await context.close().catch(() => {});
  }
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
process.exit(status);
