// Where the recorded torch files live, and the Python that has torch (Debian's python3-torch at /usr/bin/python3).

import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { plainEnv } from "../helpers/child-env.js";

const here = dirname(fileURLToPath(import.meta.url));
export const TORCH_FILES = join(here, "..", "fixtures", "torch-files");
export const ROOT = join(here, "..", "..");

/**
 * The command that runs Python with torch: DESCENT_TORCH_PYTHON (e.g. "chroot /work/trixie-root python3"
 * for torch 2.6), else /usr/bin/python3. Null, with the reason, where that Python has no torch.
 */
export function torchPython(): { command: string[]; version: string } | { skip: string } {
  const command = (process.env.DESCENT_TORCH_PYTHON ?? "/usr/bin/python3").split(" ");
  const r = spawnSync(command[0]!, [...command.slice(1), "-c", "import torch; print(torch.__version__)"], {
    encoding: "utf8",
    env: plainEnv(),
  });
  if (r.status !== 0) {
    return {
      skip: `${command.join(" ")} cannot import torch (install Debian's python3-torch): ${(r.stderr || String(r.error)).trim().split("\n").pop()}`,
    };
  }
  return { command, version: r.stdout.trim() };
}
