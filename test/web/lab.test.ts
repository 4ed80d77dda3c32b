// End-to-end tests of the web lab in real headless Chromium (Debian's chromium driven by playwright-core):
// the lab is built with Vite's JS API into a temp folder, served by a tiny static server on 127.0.0.1, and
// every panel is exercised as a user would. Screenshots go to test-artifacts/.

import { join } from "node:path";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OPTIMIZER_REGISTRY } from "../../src/optim/registry.js";
import { ARTIFACTS, noBrowser, useLab } from "../helpers/web-lab.js";

describe("web lab in headless Chromium", {
  skip: noBrowser,
}, () => {
  const lab = useLab({ selector: "#loss-table", state: "attached" });
  const { open, href, problems } = lab;

  test("the page loads with its four panels and no console errors", async () => {
    const page = await open();
    assert.deepEqual(await page.locator("[role=tab]").allTextContents(), [
      "Tour of the note",
      "Surfaces",
      "EWMA playground",
      "Schedule designer",
    ]);
    assert.equal(await page.getAttribute("#tab-surfaces", "aria-selected"), "true");
    // tabs follow the ARIA pattern: arrow keys move between them and show their panel
    await page.focus("#tab-surfaces");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.getAttribute("#tab-ewma", "aria-selected"), "true");
    assert.equal(await page.evaluate("document.activeElement.id"), "tab-ewma");
    assert.ok(await page.isVisible("#ewma-canvas"));
    assert.ok(await page.isHidden("#surface-canvas"));
    await page.keyboard.press("ArrowLeft");
    assert.equal(await page.getAttribute("#tab-surfaces", "aria-selected"), "true");
    // the map takes the keyboard too: arrows move the start, Enter runs from it
    const x0 = Number(await page.inputValue("#start-x"));
    await page.focus("#surface-canvas");
    await page.keyboard.press("ArrowRight");
    assert.ok(Number(await page.inputValue("#start-x")) > x0);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll("#loss-table tbody td:nth-child(2)")).some(
        (td) => Number(td.textContent) > 0,
      ),
    );
    // every form control is labelled (a <label> around it or for it, or aria-label)
    const unlabelled = await page.evaluate(() =>
      Array.from(document.querySelectorAll("input, select"))
        .filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute("aria-label"))
        .map((el) => el.id),
    );
    assert.deepEqual(unlabelled, []);
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("clicking the map starts six optimizers whose paths and losses update live", async (t) => {
    const page = await open("#tab=surfaces&fn=rosenbrock&steps=400&speed=2");
    const canvas = page.locator("#surface-canvas");
    await page.waitForFunction(
      () => document.querySelector(".stage")?.getAttribute("data-running") === "false",
    );
    const before = await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());
    const box = (await canvas.boundingBox())!;
    await canvas.click({ position: { x: box.width * 0.2, y: box.height * 0.3 } });
    // the start follows the click: x = −2 + 0.2·4 on Rosenbrock's [−2, 2]
    assert.ok(Math.abs(Number(await page.inputValue("#start-x")) + 1.2) < 0.05);
    // measure frame times while the six optimizers animate
    // a string, not a function: tsx's transpiled functions reference helpers that do not exist in the page
    const frames: number[] = await page.evaluate(`new Promise((resolve) => {
      const times = [];
      const tick = (now) => {
        times.push(now);
        if (now - times[0] < 1500) requestAnimationFrame(tick);
        else resolve(times.slice(1).map((v, i) => v - times[i]));
      };
      requestAnimationFrame(tick);
    })`);
    const sorted = [...frames].sort((a, b) => a - b);
    const mean = frames.reduce((a, b) => a + b, 0) / frames.length;
    t.diagnostic(
      `frame times over 1.5 s with 6 optimizers: mean ${mean.toFixed(1)} ms (${(1000 / mean).toFixed(0)} fps), ` +
        `p95 ${sorted[Math.floor(0.95 * sorted.length)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`,
    );
    const rows = page.locator("#loss-table tbody tr");
    assert.equal(await rows.count(), 6);
    const steps = (await page.locator("#loss-table tbody tr td:nth-child(2)").allTextContents()).map(Number);
    assert.ok(
      steps.every((s) => s > 10),
      `steps after 1.5 s: ${steps}`,
    );
    const losses = (await page.locator("#loss-table tbody td.loss").allTextContents()).map(Number);
    assert.ok(
      losses.every((l) => Number.isFinite(l)),
      `losses: ${losses}`,
    );
    const after = await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());
    assert.notEqual(after, before);
    await page.waitForFunction(
      () => document.querySelector(".stage")?.getAttribute("data-running") === "false",
      null,
      {
        timeout: 15000,
      },
    );
    await page.screenshot({ path: join(ARTIFACTS, "lab-surfaces.png"), fullPage: true });
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("moving the β slider changes the EWMA curve, and bias correction changes its start", async () => {
    const page = await open("#tab=ewma");
    const canvas = page.locator("#ewma-canvas");
    const curve = () => canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());
    const first = await curve();
    const summary = await page.textContent("#ewma-summary");
    await page.focus("#beta");
    for (let i = 0; i < 8; i++) await page.keyboard.press("ArrowRight"); // keyboard-reachable slider
    assert.equal(await page.inputValue("#beta"), "0.98");
    assert.notEqual(await curve(), first);
    assert.notEqual(await page.textContent("#ewma-summary"), summary);
    assert.match(await href(page), /beta=0\.98/);
    const uncorrected = await curve();
    await page.check("#bias-correction");
    assert.notEqual(await curve(), uncorrected);
    await page.screenshot({ path: join(ARTIFACTS, "lab-ewma.png"), fullPage: true });
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("a bad formula shows an inline error and the lab keeps working", async () => {
    const page = await open("#tab=surfaces&fn=booth");
    await page.selectOption("#fn", "custom");
    await page.fill("#formula", "x^2 + (3*y");
    const error = page.locator("#formula-error");
    assert.match((await error.textContent()) ?? "", /Formula error: cannot read the formula/);
    assert.ok(await error.isVisible());
    assert.equal(await page.getAttribute("#formula", "aria-invalid"), "true");
    await page.fill("#formula", "x^2 + z");
    assert.match((await error.textContent()) ?? "", /unknown variable "z"/);
    await page.screenshot({ path: join(ARTIFACTS, "lab-formula-error.png") });
    // the map still runs optimizers on the last good surface
    const canvas = page.locator("#surface-canvas");
    await canvas.click({ position: { x: 40, y: 40 } });
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll("#loss-table tbody td:nth-child(2)")).some(
        (td) => Number(td.textContent) > 5,
      ),
    );
    await page.fill("#formula", "x^2 + 3*y^2");
    assert.equal(await error.textContent(), "");
    assert.match((await page.textContent("#formula-grad")) ?? "", /forward-mode/);
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("a shared #fn=custom link with a formula that used to hang the tab (14 factors: 39 s) opens at once", async () => {
    const slow = Array(14).fill("x").join("*");
    const page = await open(`#tab=surfaces&fn=custom&f=${encodeURIComponent(slow)}`);
    assert.equal(await page.inputValue("#formula"), slow);
    assert.match((await page.textContent("#formula-grad")) ?? "", /forward-mode/);
    // the page answers input right away, and an over-limit formula gets a clear message
    await page.fill("#formula", Array(200).fill("x").join("+"));
    assert.match((await page.textContent("#formula-error")) ?? "", /at most 300 are allowed/);
    await page.screenshot({ path: join(ARTIFACTS, "lab-formula-limit.png") });
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("a shared URL restores the view", async () => {
    const page = await open("#tab=surfaces");
    await page.selectOption("#fn", "himmelblau");
    await page.uncheck("#opt-sgd");
    await page.check("#opt-lion");
    await page.fill("#opt-adam-lr", "0.3");
    await page.dispatchEvent("#opt-adam-lr", "change");
    const surfacesUrl = await href(page);
    await page.click("#tab-schedule");
    await page.selectOption("#sched-first", "StepLR");
    await page.fill("#sched-first-stepSize", "7");
    await page.check("#sched-use-then");
    await page.fill("#sched-milestone", "40");
    const scheduleUrl = await href(page);
    const code = await page.textContent("#code-py");
    await page.close();

    const restored = await open(new URL(surfacesUrl).hash);
    assert.equal(await restored.inputValue("#fn"), "himmelblau");
    assert.equal(await restored.isChecked("#opt-sgd"), false);
    assert.equal(await restored.isChecked("#opt-lion"), true);
    assert.equal(await restored.inputValue("#opt-adam-lr"), "0.3");
    await restored.goto(scheduleUrl);
    await restored.reload();
    assert.equal(await restored.getAttribute("#tab-schedule", "aria-selected"), "true");
    assert.equal(await restored.inputValue("#sched-first"), "StepLR");
    assert.equal(await restored.inputValue("#sched-first-stepSize"), "7");
    assert.equal(await restored.isChecked("#sched-use-then"), true);
    assert.equal(await restored.textContent("#code-py"), code);
    assert.match(code ?? "", /lr_scheduler\.StepLR\(optimizer, step_size=7, gamma=0\.1\)/);
    assert.match(code ?? "", /SequentialLR\(optimizer, schedulers=\[first, second\], milestones=\[40\]\)/);
    await restored.screenshot({ path: join(ARTIFACTS, "lab-schedule.png"), fullPage: true });
    await restored.close();
    assert.deepEqual(problems, []);
  });

  test("on a phone-sized screen the panels stack and nothing overflows sideways", async () => {
    const page = await open("#tab=surfaces&fn=himmelblau");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: join(ARTIFACTS, "lab-phone.png"), fullPage: true });
    await page.close();
    assert.deepEqual(problems, []);
  });
  test("on the plateau, runs that stall at the start show over the start marker, each in its colour", async () => {
    const page = await open("#tab=surfaces&fn=plateau&steps=60&speed=25");
    await page.waitForFunction(
      () => document.querySelector(".stage")?.getAttribute("data-running") === "false",
    );
    // SGD, momentum and Nesterov barely move on the plateau (f = 1 − 3e-8 at the start): three ends there
    const colors = ["sgd", "momentum", "nesterov"].map(
      (id) => OPTIMIZER_REGISTRY.flatMap((row) => row.lab).find((p) => p.id === id)!.color,
    );
    const counts: number[] = await page.evaluate(`(() => {
      const canvas = document.querySelector("#surface-canvas");
      const dpr = canvas.width / canvas.clientWidth;
      const x = Number(document.querySelector("#start-x").value);
      const y = Number(document.querySelector("#start-y").value);
      // the plateau's domain is [−2.5, 2.5]²
      const cx = ((x + 2.5) / 5) * canvas.width;
      const cy = (1 - (y + 2.5) / 5) * canvas.height;
      const half = Math.round(14 * dpr);
      const data = canvas.getContext("2d").getImageData(Math.round(cx) - half, Math.round(cy) - half, 2 * half, 2 * half).data;
      return ${JSON.stringify(colors)}.map((hex) => {
        const rgb = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (Math.abs(data[i] - rgb[0]) <= 12 && Math.abs(data[i + 1] - rgb[1]) <= 12 && Math.abs(data[i + 2] - rgb[2]) <= 12) n++;
        }
        return n;
      });
    })()`);
    for (const [i, n] of counts.entries()) assert.ok(n >= 10, `${colors[i]}: ${n} pixels at the start`);
    await page.screenshot({ path: join(ARTIFACTS, "lab-plateau.png"), fullPage: true });
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("the schedule designer's LinearLR then OneCycleLR: the code passes the design's lr as maxLr", async () => {
    const page = await open("#tab=schedule&sched=LinearLR,OneCycleLR&ms=10&lr=0.1&ssteps=30");
    await page.selectOption("#sched-first", "LinearLR");
    await page.check("#sched-use-then");
    await page.selectOption("#sched-then", "OneCycleLR");
    await page.fill("#sched-milestone", "10");
    await page.fill("#sched-steps", "30");
    await page.dispatchEvent("#sched-steps", "change");
    const code = (await page.textContent("#code-ts")) ?? "";
    assert.match(code, /new OneCycleLR\(optimizer, \{ maxLr: lr, totalSteps: 20,/);
    await page.screenshot({ path: join(ARTIFACTS, "lab-schedule-linear-onecycle.png"), fullPage: true });
    await page.close();
    assert.deepEqual(problems, []);
  });
});
