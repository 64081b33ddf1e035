/**
 * A small SVG bar chart of the size report: one stacked bar per image (base image files, the
 * production dependencies and the app the runtime image needs, waste), to scale, in file bytes.
 * Pure: the report in, the SVG text out.
 */
import { ImageSize, SizeReport, formatBytes } from './size';

const SEGMENTS = [
  { key: 'base', label: 'base image', color: '#9aa5b1' },
  { key: 'dependencies', label: 'dependencies', color: '#3b82f6' },
  { key: 'app', label: 'app', color: '#10b981' },
  { key: 'waste', label: 'waste', color: '#ef4444' },
] as const;

type Row = ImageSize;

/** A check as the chart lists it (verify's CheckResult, or a part that was not checked). */
export interface ChartCheck {
  readonly title: string;
  /** `undefined`: not checked / not applicable. */
  readonly ok?: boolean;
  readonly detail: string;
}

/**
 * Renders the size report as an SVG document; with `checks`, the check list follows the chart (a
 * failed check shows the first line of its detail).
 */
export function renderSizeChart(report: SizeReport, title = 'Image sizes', checks: readonly ChartCheck[] = []): string {
  const rows: [string, Row][] = [['runtime', report.runtime], ['debug', report.debug]];
  if (report.singleStage) rows.push(['single-stage', report.singleStage]);
  const width = 720;
  const labelW = 110;
  const valueW = 90;
  const barW = width - labelW - valueW - 20;
  const rowH = 34;
  const top = 44;
  const max = Math.max(...rows.map(([, r]) => r.fileBytes), 1);
  const scale = (n: number) => (n / max) * barW;
  const parts: string[] = [];
  parts.push(`<text x="10" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`);
  rows.forEach(([name, r], i) => {
    const y = top + i * rowH;
    parts.push(`<text x="10" y="${y + 17}" font-size="13">${esc(name)}</text>`);
    // What the image added to its base, split into the needed dependencies, the needed app (as far as
    // the image holds them) and the waste beyond them.
    const held = Math.max(0, r.addedBytes - r.waste);
    const deps = Math.min(report.needed.dependencies, held);
    const values: Record<string, number> = { base: r.baseFileBytes, dependencies: deps, app: Math.max(0, held - deps), waste: r.waste };
    let x = labelW;
    for (const s of SEGMENTS) {
      const w = scale(values[s.key]);
      if (w <= 0) continue;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w, 0.5).toFixed(1)}" height="24" fill="${s.color}"><title>${esc(`${name} ${s.label}: ${formatBytes(values[s.key])}`)}</title></rect>`);
      x += w;
    }
    parts.push(`<text x="${(labelW + barW + 8).toFixed(1)}" y="${y + 17}" font-size="13">${esc(formatBytes(r.fileBytes))}</text>`);
  });
  const legendY = top + rows.length * rowH + 10;
  let lx = labelW;
  for (const s of SEGMENTS) {
    parts.push(`<rect x="${lx}" y="${legendY}" width="12" height="12" fill="${s.color}"/><text x="${lx + 16}" y="${legendY + 11}" font-size="12">${esc(s.label)}</text>`);
    lx += 24 + s.label.length * 7;
  }
  const ratio = report.ratio !== undefined ? `single-stage / runtime: ${report.ratio.toFixed(2)}x; ` : '';
  parts.push(`<text x="10" y="${legendY + 34}" font-size="12">${esc(`${ratio}runtime waste ${formatBytes(report.runtime.waste)} (file bytes: image - base - needed)`)}</text>`);
  let y = legendY + 46;
  if (checks.length) {
    y += 10;
    parts.push(`<text x="10" y="${y}" font-size="14" font-weight="bold">Checks</text>`);
    for (const c of checks) {
      y += 18;
      const mark = c.ok === undefined ? '–' : c.ok ? '✔' : '✖';
      const color = c.ok === undefined ? '#6b7280' : c.ok ? '#047857' : '#b91c1c';
      parts.push(`<text x="10" y="${y}" font-size="12"><tspan fill="${color}">${mark}</tspan> ${esc(clip(c.title, 110))}</text>`);
      if (c.ok !== true) {
        y += 15;
        parts.push(`<text x="26" y="${y}" font-size="11" fill="#4b5563">${esc(clip(c.detail.split('\n')[0], 120))}</text>`);
      }
    }
    y += 14;
  }
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
