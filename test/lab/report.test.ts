import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { reportHtml } from "../../src/lab/index.js";

describe("reportHtml", () => {
  test("inlines each figure's SVG with its title and caption, and renders tables", () => {
    const html = reportHtml("t", [
      {
        heading: "Section <1>",
        tables: [{ title: "Summary", columns: ["a", "b"], rows: [["x & y", 1.5]] }],
        figures: [
          {
            title: "Fig",
            caption: "shows <things>",
            svg: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><path d="M0,0"/></svg>',
          },
        ],
      },
    ]);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(html.includes("<h2>Section &lt;1&gt;</h2>"));
    assert.ok(html.includes('<td>x &amp; y</td><td class="n">1.5</td>'));
    assert.ok(html.includes('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0,0"/></svg>'));
    assert.ok(!html.includes("<?xml"));
    assert.ok(html.includes("<figcaption>shows &lt;things&gt;</figcaption>"));
    assert.ok(!/<script|src="http/.test(html), "self-contained");
  });

  test("rejects a figure without an <svg> element", () => {
    assert.throws(
      () => reportHtml("t", [{ heading: "h", figures: [{ title: "f", caption: "c", svg: "<p>" }] }]),
      /does not contain an <svg>/,
    );
  });
});
