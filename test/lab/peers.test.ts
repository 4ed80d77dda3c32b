import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { absentAs, isMissingPackage, MissingPeerError, peerOrStandIn } from "../../src/lab/peers.js";

describe("optional peers", () => {
  test("absentAs(name) turns 'package not installed' into undefined", async () => {
    const name = "descent-optim-no-such-package";
    assert.equal(await import(name).catch(absentAs(name)), undefined);
  });

  test("absentAs(name) rethrows any other failure (another package missing, a syntax error)", async () => {
    const other = Object.assign(new Error("Cannot find package 'd3' imported from plot.js"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    assert.throws(() => absentAs("@observablehq/plot")(other), /'d3'/);
    assert.throws(() => absentAs("linkedom")(new SyntaxError("Unexpected token")), SyntaxError);
    assert.equal(isMissingPackage(undefined, "linkedom"), false);
  });

  test("a stand-in throws MissingPeerError, one line naming every package to install, on first use", () => {
    const plot = peerOrStandIn<{ plot(): string }>(undefined, "a descent-optim/lab figure", () => [
      "@observablehq/plot",
      "linkedom",
    ]);
    assert.throws(() => plot.plot(), {
      name: "MissingPeerError",
      message:
        "a descent-optim/lab figure needs @observablehq/plot and linkedom: npm i @observablehq/plot linkedom",
    });
    const loaded = { plot: () => "svg" };
    assert.equal(
      peerOrStandIn(loaded, "figures", () => []),
      loaded,
    );
  });

  test("three or more packages read as a list", () => {
    const error = new MissingPeerError("the CLI", ["commander", "@observablehq/plot", "linkedom"]);
    assert.equal(
      error.message,
      "the CLI needs commander, @observablehq/plot and linkedom: npm i commander @observablehq/plot linkedom",
    );
    assert.deepEqual(error.packages, ["commander", "@observablehq/plot", "linkedom"]);
  });
});
