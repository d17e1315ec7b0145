// Shared by the browser tests: the worker in Miniflare with the demo store seeded through the
// store API (scripts/seed-demo.mjs), and the demo page in headless Debian Chromium driven by
// playwright-core (never a downloaded browser). Screenshots go to target/test-logs/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startWorker, root } from "../support/worker.mjs";

export const shots = join(root, "target", "test-logs");

/** Starts the worker, seeds the demo store and opens the page; `stop()` ends both. */
export async function openDemo({ width = 1100, height = 900 } = {}) {
  const worker = await startWorker();
  execFileSync("node", [join(root, "scripts/seed-demo.mjs"), worker.url, worker.keys.demo], { stdio: "pipe" });
  // A fresh profile each run.
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "entitle-chromium-")), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width, height },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  mkdirSync(shots, { recursive: true });
  await page.goto(`${worker.url}/`);
  await page.waitForSelector("body[data-ready=true]");
  // The page's one table of words, as the browser loaded it.
  const messages = await page.evaluate(async () => (await import("/messages.js")).MESSAGES);
  return {
    worker,
    page,
    errors,
    messages,
    stop: async () => {
      await browser.close();
      await worker.stop();
    },
  };
}

/** A screenshot per step, named `<flow>-<step>.png` (steps start with their number). */
export function camera(page, flow) {
  return (step) => page.screenshot({ path: join(shots, `${flow}-${step}.png`), fullPage: true });
}

/** Signs in as a demo account through the page's account picker and waits for its view. */
export async function signIn(page, accountId) {
  await page.selectOption("#account", accountId);
  await page.click("#signin button[type=submit]");
  await page.waitForSelector(`body[data-account="${accountId}"]`);
}

/** Waits for the status line to say something matching `pattern`; returns its text. */
export async function statusSays(page, pattern, kind = "ok") {
  await page.waitForFunction(
    ([source, flags, k]) => {
      const s = document.querySelector("#status");
      return s.className === k && new RegExp(source, flags).test(s.textContent);
    },
    [pattern.source, pattern.flags, kind],
  );
  return page.textContent("#status");
}

/** Why the button matching `selector` is disabled: the sentence it points to; null if enabled. */
export function refusal(page, selector) {
  return page.$eval(selector, (button) => (button.disabled
    ? document.getElementById(button.getAttribute("aria-describedby"))?.textContent ?? "(disabled with no reason)"
    : null));
}

export { assert, root };
