// The environment for a child process whose output a test reads.
//
// `node --test` run in a terminal sets FORCE_COLOR=1 for its test files, and their children inherit it, so
// console.log of a number or an array prints colour codes ("\x1b[33m0.05\x1b[39m") that parse as NaN.
// Children started with this environment print plain text in a terminal and without one alike.

export function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.FORCE_COLOR;
  env.NO_COLOR = "1";
  return env;
}
