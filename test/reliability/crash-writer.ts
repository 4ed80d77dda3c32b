// The process the atomic-write test kills: saves checkpoint after checkpoint to one path, each holding a
// param filled with its own version number, printing the version after each save.
// Usage: node --import tsx test/reliability/crash-writer.ts <path> <elements>

import { saveCheckpointFile } from "../../src/checkpoint/node.js";
import { param } from "../../src/core/param.js";

const [path, elements] = process.argv.slice(2);
if (path === undefined || elements === undefined) throw new Error("usage: crash-writer.ts <path> <elements>");
const p = param(new Float32Array(Number(elements)));
for (let version = 1; ; version++) {
  p.data.fill(version);
  await saveCheckpointFile(path, { params: [p] }, { extra: { version } });
  process.stdout.write(`${version}\n`);
}
