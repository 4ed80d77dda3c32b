#!/usr/bin/env node
// The `descent` binary. Its dependencies are optional peers of descent-optim, so it first checks that they
// are installed and otherwise answers with the one line that installs them.

import { MissingPeerError } from "../lab/peers.js";

const needed = ["commander", "@observablehq/plot", "linkedom"];
const missing = needed.filter((name) => {
  try {
    import.meta.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  process.stderr.write(`descent: ${new MissingPeerError("the CLI", missing).message}\n`);
  process.exitCode = 1;
} else {
  const { runCli } = await import("./program.js");
  process.exitCode = await runCli(process.argv.slice(2));
}
