// Round trips with a live PyTorch (CI: Debian's python3-torch 1.13 at /usr/bin/python3; torch 2.6 with
// DESCENT_TORCH_CHROOT=<trixie-root>). One Python process for every case:
//   descent → torch: descent trains each reference case k = steps // 2 steps and saves the run with
//     torchSave; torch loads it (weights_only=True on 2.x; 1.13's weights_only cannot read floats) and
//     trains the remaining steps; descent, continuing itself, must agree (1e-12 float64, float32 rounding).
//   torch → descent: that torch also trains k, saves, continues from the file; descent continues from the
//     same runs and must agree. Schedulers both ways on every group's lr.
// Skipped, with the reason, only where that Python has no torch; under CI a missing torch fails.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  TorchFormatError,
  toTorchOptimizerState,
  toTorchRun,
  torchLoad,
  torchSave,
} from "../../src/torch/index.js";
import { toTorchStateDict } from "../../src/scheduler/torch-state-dict.js";
import { buildCase } from "../scheduler/reference-cases.js";
import {
  assertAgrees,
  assertLrs,
  buildOptimizer,
  continueFromTorch,
  continueSchedulersFromTorch,
  optimizerCases,
  replay,
  schedulerCases,
} from "./cases.js";
import { plainEnv } from "../helpers/child-env.js";
import { ROOT } from "./helpers.js";

const chroot = process.env.DESCENT_TORCH_CHROOT;
const python = chroot ? ["chroot", chroot, "python3"] : ["/usr/bin/python3"];
const probe = spawnSync(python[0]!, [...python.slice(1), "-c", "import torch; print(torch.__version__)"], {
  encoding: "utf8",
  env: plainEnv(),
});
const version = probe.status === 0 ? (probe.stdout.trim().split("\n").pop() ?? null) : null;
const skip =
  version === null
    ? `${python.join(" ")} cannot import torch (Debian: apt-get install python3-torch): ${(probe.stderr || String(probe.error)).trim().split("\n").pop()}`
    : false;
if (skip && process.env.CI) throw new Error(`CI must run the live torch round trips: ${skip}`);
const torch1 = version?.startsWith("1.") ?? false;

/** Cases this torch cannot follow (missing optimizers/options, 1.13's NAdam bug): the reason, or null. */
function torchCannot(name: string): string | null {
  const c = optimizerCases.get(name)!;
  if (!torch1) return null;
  if (c.optimizer === "Adafactor") return "torch 1.13 has no Adafactor";
  if (c.optimizer === "NAdam") return "torch 1.13's NAdam counts mu twice (fixed in 2.x)";
  return null;
}

describe(`live round trips with torch ${version ?? "(absent)"}`, { skip }, () => {
  const base = chroot ? join(chroot, "tmp") : tmpdir();
  const work = mkdtempSync(join(base, "descent-live-"));
  const inside = (p: string) => (chroot ? p.slice(chroot.length) : p);
  after(() => rmSync(work, { recursive: true, force: true }));
  mkdirSync(join(work, "optimizers"));
  mkdirSync(join(work, "schedulers"));
  cpSync(join(ROOT, "scripts", "gen_torch_files.py"), join(work, "gen_torch_files.py"));
  cpSync(join(ROOT, "test", "fixtures", "torch"), join(work, "reference"), { recursive: true });

  // descent trains k steps and saves each run
  const refused = new Map<string, string>();
  const ours = new Map<string, ReturnType<typeof buildOptimizer>>();
  for (const [name, c] of optimizerCases) {
    if (torchCannot(name) && c.optimizer === "NAdam") continue;
    const built = buildOptimizer(c);
    replay(c, built.params, built.opt, 0, Math.floor(c.steps / 2));
    try {
      const run = toTorchRun(
        { params: built.params, optimizer: built.opt },
        { torchVersion: version ?? "2.6", scalarDtype: "float64" },
      );
      writeFileSync(join(work, "optimizers", `${name}.pt`), torchSave(run));
      ours.set(name, built);
    } catch (e) {
      if (!(e instanceof TorchFormatError)) throw e;
      refused.set(name, e.message);
    }
  }
  const oursSched = new Map<string, ReturnType<typeof buildCase>>();
  for (const [name, c] of schedulerCases) {
    if (
      torch1 &&
      c.optimizer.type === "Adam" &&
      c.schedulers.some((s) => s.type === "CyclicLR" || s.type === "OneCycleLR")
    )
      continue;
    const built = buildCase(c);
    for (let i = 1; i <= Math.floor(c.steps / 2); i++) built.iterate(i);
    const schedulers = Object.fromEntries(
      Object.entries(built.schedulers).map(([id, s]) => [
        id,
        toTorchStateDict(s, { torchVersion: version ?? "2.6" }),
      ]),
    );
    const run = {
      optimizer: toTorchOptimizerState(built.optimizer, { torchVersion: version ?? "2.6" }),
      schedulers,
    };
    writeFileSync(join(work, "schedulers", `${name}.pt`), torchSave(run));
    oursSched.set(name, built);
  }

  const r = spawnSync(
    python[0]!,
    [...python.slice(1), inside(join(work, "gen_torch_files.py")), "--answer", inside(work)],
    {
      encoding: "utf8",
      env: plainEnv({ DESCENT_TORCH_REFERENCE: inside(join(work, "reference")) }),
    },
  );
  if (r.status !== 0) throw new Error(`torch failed: ${r.stderr}`);
  const answers = torchLoad(readFileSync(join(work, "answers.pt"))) as any;

  it("refuses only what this torch has no place for, naming it", () => {
    for (const [name, why] of refused) {
      assert.ok(
        torchCannot(name) !== null || /torch 1\.13's (NAdam|RAdam) has no/.test(why),
        `${name}: ${why}`,
      );
    }
    if (!torch1) assert.equal(refused.size, 0, [...refused.values()].join("; "));
  });

  it("torch loaded every file descent wrote", () => {
    assert.deepEqual(answers.errors instanceof Map ? Object.fromEntries(answers.errors) : answers.errors, {});
  });

  for (const [name, built] of ours) {
    it(`${name}: torch continues descent's run as descent does`, () => {
      const c = optimizerCases.get(name)!;
      replay(c, built.params, built.opt, Math.floor(c.steps / 2), c.steps);
      assertAgrees(
        c,
        built.params,
        built.opt,
        answers.optimizers[name],
        `torch ${version} after descent's run`,
      );
    });
  }

  for (const [name, built] of oursSched) {
    it(`${name}: torch's schedulers continue descent's as descent's do`, () => {
      const c = schedulerCases.get(name)!;
      const lrs: number[][] = [];
      for (let i = Math.floor(c.steps / 2) + 1; i <= c.steps; i++) {
        built.iterate(i);
        lrs.push(built.optimizer.paramGroups.map((g) => g.lr));
      }
      assertLrs(answers.schedulers[name].lrs, lrs, name);
    });
  }

  it(`descent continues every run torch ${version} saved as torch does`, () => {
    const fwd = answers.forward_optimizers;
    for (const [name, run] of Object.entries(fwd.runs as Record<string, unknown>)) {
      const c = optimizerCases.get(name)!;
      const { params, opt } = continueFromTorch(c, run, fwd.k[name]);
      assertAgrees(c, params, opt, fwd.expected[name], `after torch ${version}'s run`);
    }
    const sched = answers.forward_schedulers;
    for (const [name, run] of Object.entries(sched.runs as Record<string, unknown>)) {
      assertLrs(
        continueSchedulersFromTorch(schedulerCases.get(name)!, run, sched.k[name]),
        sched.expected[name].lrs,
        name,
      );
    }
  });
});
