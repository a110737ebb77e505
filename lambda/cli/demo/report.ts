/**
 * Renders the demo report three ways: text for the terminal, `report.json`, and a self-contained
 * `report.html` (inline CSS and SVG charts, no script, no network).
 */
import type { DemoChart, DemoSection, DemoTable } from './types.js';

/** The whole demo report. */
export interface DemoReport {
  title: string;
  generatedAt: string;
  environment: Record<string, string | number>;
  sections: DemoSection[];
  totalMillis: number;
}

const formatValue = (value: number | string): string => {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 1
      ? value.toFixed(2)
      : value.toPrecision(2);
};

function textTable(table: DemoTable): string[] {
  const cells = table.rows.map((row) => row.map((cell) => formatValue(cell)));
  const widths = table.columns.map((c, i) =>
    Math.min(70, Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length))),
  );
  const line = (row: string[]) =>
    row
      .map((cell, i) =>
        cell.length > (widths[i] ?? 0)
          ? `${cell.slice(0, (widths[i] ?? 1) - 1)}…`
          : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ');
  return [
    `  ${table.title}`,
    `    ${line(table.columns)}`,
    `    ${widths.map((w) => '─'.repeat(w)).join('  ')}`,
    ...cells.map((row) => `    ${line(row)}`),
  ];
}

function textChart(chart: DemoChart): string[] {
  const max = Math.max(...chart.bars.map((b) => b.value), Number.MIN_VALUE);
  const labelWidth = Math.max(...chart.bars.map((b) => b.label.length));
  return [
    `  ${chart.title} (${chart.unit})`,
    ...chart.bars.map((bar) => {
      const width = Math.max(bar.value > 0 ? 1 : 0, Math.round((bar.value / max) * 40));
      return `    ${bar.label.padEnd(labelWidth)}  ${'█'.repeat(width)} ${formatValue(bar.value)}`;
    }),
  ];
}

/**
 * The report as terminal text.
 *
 * @example
 * ```ts
 * process.stdout.write(renderText(report));
 * ```
 */
export function renderText(report: DemoReport): string {
  const lines: string[] = [`${report.title}`, '═'.repeat(report.title.length)];
  for (const [key, value] of Object.entries(report.environment)) lines.push(`${key}: ${formatValue(value)}`);
  for (const section of report.sections) {
    lines.push('', `▌ ${section.title}`, `  ${section.summary}`);
    const figureWidth = Math.max(0, ...Object.keys(section.figures).map((k) => k.length));
    for (const [key, value] of Object.entries(section.figures))
      lines.push(`  ${key.padEnd(figureWidth)}  ${formatValue(value)}`);
    for (const table of section.tables ?? []) lines.push('', ...textTable(table));
    for (const chart of section.charts ?? []) lines.push('', ...textChart(chart));
    for (const warning of section.warnings ?? []) lines.push(`  ⚠ ${warning}`);
  }
  lines.push('', `total ${(report.totalMillis / 1000).toFixed(1)} s`, '');
  return lines.join('\n');
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function svgChart(chart: DemoChart): string {
  const barHeight = 22;
  const gap = 8;
  const labelWidth = 200;
  const plotWidth = 420;
  const max = Math.max(...chart.bars.map((b) => b.value), Number.MIN_VALUE);
  const height = chart.bars.length * (barHeight + gap) + gap;
  const bars = chart.bars
    .map((bar, i) => {
      const y = gap + i * (barHeight + gap);
      const width = Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * plotWidth);
      return (
        `<text x="${labelWidth - 8}" y="${y + barHeight * 0.7}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
        `<rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" rx="3" class="bar bar${i % 6}"/>` +
        `<text x="${labelWidth + width + 6}" y="${y + barHeight * 0.7}">${escapeHtml(formatValue(bar.value))}</text>`
      );
    })
    .join('');
  return `<figure><figcaption>${escapeHtml(chart.title)} <span class="unit">(${escapeHtml(chart.unit)})</span></figcaption><svg role="img" viewBox="0 0 ${labelWidth + plotWidth + 90} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">${bars}</svg></figure>`;
}

function htmlTable(table: DemoTable): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr>${row.map((cell) => `<td${typeof cell === 'number' ? ' class="num"' : ''}>${escapeHtml(formatValue(cell))}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<h3>${escapeHtml(table.title)}</h3><div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/**
 * The report as one self-contained HTML page (no script, no external resources).
 *
 * @example
 * ```ts
 * writeFileSync('report.html', renderHtml(report));
 * ```
 */
export function renderHtml(report: DemoReport): string {
  const environment = Object.entries(report.environment)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(formatValue(v))}</dd>`)
    .join('');
  const sections = report.sections
    .map((section) => {
      const figures = Object.entries(section.figures)
        .map(
          ([k, v]) =>
            `<div class="figure"><div class="value">${escapeHtml(formatValue(v))}</div><div class="label">${escapeHtml(k)}</div></div>`,
        )
        .join('');
      const warnings = (section.warnings ?? [])
        .map((w) => `<p class="warning">⚠ ${escapeHtml(w)}</p>`)
        .join('');
      return `<section><h2>${escapeHtml(section.title)}</h2><p class="summary">${escapeHtml(section.summary)}</p><div class="figures">${figures}</div>${(section.charts ?? []).map(svgChart).join('')}${(section.tables ?? []).map(htmlTable).join('')}${warnings}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{margin:0 0 4px;font-size:26px} h2{margin:0 0 4px;font-size:20px} h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5b6472;font-size:13px} dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:13px}
dt{color:#5b6472} dd{margin:0}
section{background:#fff;border:1px solid #dde1e7;border-radius:10px;padding:18px 20px;margin:18px 0}
.summary{color:#3b4452;margin:2px 0 12px}
.figures{display:flex;flex-wrap:wrap;gap:10px}
.figure{border:1px solid #e3e7ec;border-radius:8px;padding:8px 12px;min-width:120px}
.figure .value{font-size:20px;font-weight:600} .figure .label{font-size:12px;color:#5b6472}
figure{margin:14px 0} figcaption{font-weight:600;font-size:14px} .unit{color:#5b6472;font-weight:400}
svg text{font-size:12px;fill:#1d2430} .bar0{fill:#3b82f6}.bar1{fill:#10b981}.bar2{fill:#f59e0b}.bar3{fill:#8b5cf6}.bar4{fill:#ef4444}.bar5{fill:#14b8a6}
.scroll{overflow-x:auto} table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border-bottom:1px solid #e8ebef;padding:4px 8px;text-align:left;vertical-align:top} td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f5f8} .warning{color:#92400e;background:#fffbeb;border:1px solid #fde68a;border-radius:6px;padding:6px 10px}
</style></head>
<body><main>
<h1>${escapeHtml(report.title)}</h1>
<p class="meta">generated ${escapeHtml(report.generatedAt)} · ${(report.totalMillis / 1000).toFixed(1)} s</p>
<dl>${environment}</dl>
${sections}
</main></body></html>
`;
}
