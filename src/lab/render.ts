// Rendering figures outside a browser: Observable Plot draws into linkedom's document, the SVG element is
// serialized as a standalone file, and resvg rasterizes it when someone wants a PNG.

import type { PlotOptions } from "@observablehq/plot";
import { fileURLToPath } from "node:url";
import { absentAs, MissingPeerError, peerOrStandIn } from "./peers.js";

// optional peers: absent, the figures throw MissingPeerError naming what to install
const plotModule = await import("@observablehq/plot").catch(absentAs("@observablehq/plot"));
const linkedomModule = await import("linkedom").catch(absentAs("linkedom"));
const figurePeers = () => [
  ...(plotModule ? [] : ["@observablehq/plot"]),
  ...(linkedomModule ? [] : ["linkedom"]),
];

/** Observable Plot, which the lab's figures draw with (a stand-in that throws MissingPeerError when absent). */
export const Plot = peerOrStandIn(plotModule, "a descent-optim/lab figure", figurePeers);
const linkedom = peerOrStandIn(linkedomModule, "a descent-optim/lab figure", figurePeers);

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Text in figures: a font that resvg finds on most systems, then the Hangul font the package ships (for
 * Korean figure text), with generic fallbacks.
 */
export const FIGURE_FONT = "DejaVu Sans, Descent Hangul, Helvetica, Arial, sans-serif";

/** The shipped Hangul font (fonts/ at the package root: two levels above src/lab and dist/lab). */
export const HANGUL_FONT_FILE: string = fileURLToPath(
  new URL("../../fonts/DescentHangul-Regular.ttf", import.meta.url),
);

/** Its bold weight, for the figures' bold text (titles, legends' headings), so Hangul there is bold too. */
export const HANGUL_BOLD_FONT_FILE: string = fileURLToPath(
  new URL("../../fonts/DescentHangul-Bold.ttf", import.meta.url),
);

/**
 * Runs `Plot.plot` against a server-side document and returns a standalone SVG document string.
 * The options must describe a single SVG (no HTML legends or captions: legends are drawn as marks).
 * @example
 * import * as Plot from "@observablehq/plot";
 * const svg = renderPlot({ marks: [Plot.lineY([1, 3, 2])] }); // "<svg xmlns=…>…</svg>"
 * svg.startsWith("<svg"); // → true
 */
export function renderPlot(options: PlotOptions): string {
  const { document } = linkedom.parseHTML("<!DOCTYPE html><html><head></head><body></body></html>");
  const element = Plot.plot({
    ...options,
    style: { background: "white", fontFamily: FIGURE_FONT, fontSize: "11px", ...(options.style as object) },
    document: document as unknown as Document,
  }) as unknown as Element;
  if (element.tagName.toLowerCase() !== "svg") {
    throw new Error(`renderPlot: expected Plot to return an <svg>, got <${element.tagName.toLowerCase()}>`);
  }
  element.setAttribute("xmlns", SVG_NS);
  // the class-scoped <style> Plot emits targets the page; resvg reads inline attributes, so pin the color
  element.setAttribute("color", "black");
  return element.outerHTML;
}

/** Options of `svgToPng`. */
export interface PngOptions {
  /** Output width in pixels (default 1200); the height follows the SVG's aspect ratio. */
  width?: number;
}

/**
 * Rasterizes an SVG string to PNG bytes with resvg (loaded on first use, so SVG-only users never load it).
 * @example
 * const png = await svgToPng(ewmaFigure(noisySeries({ length: 50 }), [0.9]), { width: 200 });
 * String.fromCharCode(png[1]!, png[2]!, png[3]!); // → "PNG" (write it to a .png file)
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const width = options.width ?? 1200;
  if (!Number.isInteger(width) || width < 16 || width > 10000) {
    throw new RangeError(`svgToPng: width must be an integer between 16 and 10000, got ${width}`);
  }
  const resvgModule = await import("@resvg/resvg-js").catch(absentAs("@resvg/resvg-js"));
  if (resvgModule === undefined) throw new MissingPeerError("svgToPng", ["@resvg/resvg-js"]);
  const { Resvg } = resvgModule;
  const resvg = new Resvg(svg, {
    fitTo: { mode: "width", value: width },
    background: "white",
    font: {
      loadSystemFonts: true,
      fontFiles: [HANGUL_FONT_FILE, HANGUL_BOLD_FONT_FILE],
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
  });
  return resvg.render().asPng();
}
