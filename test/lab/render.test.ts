import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as Plot from "@observablehq/plot";
import { renderPlot, svgToPng } from "../../src/lab/index.js";

describe("render", () => {
  test("renderPlot returns a standalone SVG document", () => {
    const svg = renderPlot({ marks: [Plot.lineY([1, 3, 2])] });
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(svg.includes('aria-label="line"'));
  });

  test("renderPlot refuses options that make an HTML figure instead of an SVG", () => {
    assert.throws(
      () => renderPlot({ title: "a title", marks: [Plot.lineY([1, 2])] }),
      /expected Plot to return an <svg>, got <figure>/,
    );
  });

  test("svgToPng rasterizes at the requested width, with a PNG signature", async () => {
    const png = await svgToPng(renderPlot({ width: 300, height: 200, marks: [Plot.lineY([1, 3, 2])] }), {
      width: 150,
    });
    assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    assert.equal(view.getUint32(16), 150); // IHDR width
    assert.equal(view.getUint32(20), 100); // height follows the aspect ratio
  });

  test("svgToPng rejects a width out of range and input that is not SVG", async () => {
    await assert.rejects(
      svgToPng("<svg/>", { width: 0 }),
      /width must be an integer between 16 and 10000, got 0/,
    );
    await assert.rejects(svgToPng("not svg"));
  });
});
