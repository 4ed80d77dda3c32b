// A self-contained HTML report: inline SVG figures with one-line captions, and tables. No scripts, no
// external files, so it opens anywhere and can be mailed around.

/** A figure in a report section: title, caption and the SVG. */
export interface ReportFigure {
  readonly title: string;
  /** One line: what the figure shows. */
  readonly caption: string;
  /** A standalone SVG document string (from the lab's figure functions). */
  readonly svg: string;
}

/** A table in a report section: title, optional caption, column names and rows. */
export interface ReportTable {
  readonly title: string;
  readonly caption?: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
}

/** A section of a report: a heading, an introduction, tables and figures. */
export interface ReportSection {
  readonly heading: string;
  readonly intro?: string;
  readonly tables?: readonly ReportTable[];
  readonly figures?: readonly ReportFigure[];
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?%?$/i;

/** A table cell; numbers (and numeric text such as "92.5%") are right-aligned. */
const cell = (value: string | number) =>
  typeof value === "number" || NUMERIC.test(value)
    ? `<td class="n">${escapeHtml(String(value))}</td>`
    : `<td>${escapeHtml(value)}</td>`;

/** The SVG as an inline element (the XML prolog, if any, dropped). */
function inlineSvg(svg: string): string {
  const start = svg.indexOf("<svg");
  if (start < 0) throw new RangeError("report: a figure's svg does not contain an <svg> element");
  return svg.slice(start);
}

/** Options of `reportHtml`. */
export interface ReportOptions {
  /** The page's language, for `<html lang>` (default "en"). */
  lang?: string;
  /** A link to the same report in another language, shown under the title. */
  alternate?: { href: string; label: string; lang: string };
}

/**
 * The report page.
 * @example
 * const fig = { title: "EWMA", caption: "larger β is smoother", svg: ewmaFigure(noisySeries({ length: 50 }), [0.9]) };
 * const html = reportHtml("descent demo", [{ heading: "Averages", figures: [fig] }]);
 * html.includes("<svg"); // → true (write it to report/index.html)
 */
export function reportHtml(
  title: string,
  sections: readonly ReportSection[],
  footer?: string,
  options: ReportOptions = {},
): string {
  const lang = options.lang ?? "en";
  const body = sections
    .map((section) => {
      const parts = [`<section>\n<h2>${escapeHtml(section.heading)}</h2>`];
      if (section.intro) parts.push(`<p>${escapeHtml(section.intro)}</p>`);
      for (const table of section.tables ?? []) {
        parts.push(
          `<table>\n<caption>${escapeHtml(table.title)}${table.caption ? ` <span>${escapeHtml(table.caption)}</span>` : ""}</caption>`,
          `<thead><tr>${table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead>`,
          `<tbody>\n${table.rows
            .map((row) => `<tr>${row.map(cell).join("")}</tr>`)
            .join("\n")}\n</tbody>\n</table>`,
        );
      }
      for (const figure of section.figures ?? []) {
        parts.push(
          `<figure>\n<h3>${escapeHtml(figure.title)}</h3>\n${inlineSvg(figure.svg)}\n<figcaption>${escapeHtml(figure.caption)}</figcaption>\n</figure>`,
        );
      }
      parts.push("</section>");
      return parts.join("\n");
    })
    .join("\n");
  return `<!DOCTYPE html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, "DejaVu Sans", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; max-width: 980px; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; }
section { margin: 2rem 0; }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.95rem; margin-top: 0.3rem; }
table { border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; margin-bottom: 0.4rem; }
caption span { font-weight: normal; color: #555; }
th, td { padding: 0.25rem 0.8rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td.n { text-align: right; }
nav.lang { margin: 0.3rem 0 1rem; }
footer { color: #777; font-size: 0.85rem; margin-top: 3rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${options.alternate ? `<nav class="lang"><a href="${escapeHtml(options.alternate.href)}" hreflang="${escapeHtml(options.alternate.lang)}" lang="${escapeHtml(options.alternate.lang)}">${escapeHtml(options.alternate.label)}</a></nav>\n` : ""}${body}
${footer ? `<footer>${escapeHtml(footer)}</footer>` : ""}
</body>
</html>
`;
}
