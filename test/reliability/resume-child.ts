// The fresh process of the exact-resume test: for each case named in <dir>/cases.json, build it anew,
// restore <dir>/<i>.safetensors, train the remaining steps and save <dir>/<i>.after.safetensors.
// Usage: node --import tsx test/reliability/resume-child.ts <dir>

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCheckpointFile, saveCheckpointFile } from "../../src/checkpoint/node.js";
import { resumeCases } from "./resume-cases.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: resume-child.ts <dir>");
const { ids, remaining } = JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")) as {
  ids: string[];
  remaining: number;
};
const byId = new Map(resumeCases().map((c) => [c.id, c]));
for (const [i, id] of ids.entries()) {
  const c = byId.get(id);
  if (c === undefined) throw new Error(`unknown case ${id}`);
  const run = c.build();
  const target = { params: run.params, optimizer: run.optimizer, schedulers: run.schedulers };
  await loadCheckpointFile(join(dir, `${i}.safetensors`), target);
  for (let s = 0; s < remaining; s++) run.step();
  await saveCheckpointFile(join(dir, `${i}.after.safetensors`), target);
}
process.stdout.write(`resumed ${ids.length} cases\n`);
