/**
 * Image sizes from the image history: the base image, the dependency layers, the app layers and
 * what is left ("waste": bytes that are neither the base nor production dependencies nor the app).
 */
import { Engine } from './engine';
import { Stage } from './project';

/** One history entry (one Dockerfile instruction). */
export interface HistoryEntry {
  readonly size: number;
  readonly createdBy: string;
}

/** Reads an image's history, newest entry first. */
export async function imageHistory(engine: Engine, image: string): Promise<HistoryEntry[]> {
  if (engine.name === 'podman') {
    const out = await engine.must(['history', '--format', 'json', image], { purpose: `read the history of ${image}` });
    return (JSON.parse(out) as Record<string, unknown>[]).map((h) => ({
      size: Number(h.size ?? h.Size ?? 0),
      createdBy: String(h.CreatedBy ?? h.createdBy ?? ''),
    }));
  }
  const out = await engine.must(['history', '--no-trunc', '--human=false', '--format', '{{json .}}', image], { purpose: `read the history of ${image}` });
  return out.split('\n').filter((l) => l.trim()).map((l) => {
    const h = JSON.parse(l) as Record<string, unknown>;
    return { size: parseSize(String(h.Size ?? '0')), createdBy: String(h.CreatedBy ?? '') };
  });
}

/** Parses `1234`, `6.14 kB`, `150MB`, `1.2 GiB` into bytes. */
export function parseSize(s: string): number {
  const m = /^\s*([\d.]+)\s*([kKMGT]?i?)B?\s*$/.exec(s);
  if (!m) return 0;
  const unit = m[2].toUpperCase().replace('I', '');
  const binary = /i/i.test(m[2]);
  const pow = ['', 'K', 'M', 'G', 'T'].indexOf(unit);
  return Math.round(Number(m[1]) * (binary ? 1024 : 1000) ** Math.max(0, pow));
}

/** Where the bytes of an image are. */
export interface SizeBreakdown {
  /** Image reference. */
  readonly image: string;
  /** Sum of all layers. */
  readonly total: number;
  /** Layers of the base image (below the stage's own instructions). */
  readonly base: number;
  /** Layers holding dependencies (the node_modules copy, or the install step). */
  readonly dependencies: number;
  /** Layers holding the app (build output, runtime files, package.json; sources and build in a single stage). */
  readonly app: number;
  /** Layers that are neither (WORKDIR, metadata). */
  readonly other: number;
}

const METADATA = /^(WORKDIR|ENV|USER|EXPOSE|LABEL|CMD|ENTRYPOINT|ARG|HEALTHCHECK|STOPSIGNAL|SHELL|VOLUME|ONBUILD)\b/;

/**
 * Splits an image's history by the instructions of its last stage: the newest
 * `stage.instructions.length` entries are the stage's own, the rest is the base image. Among its
 * own, layers that copy or install `node_modules` are dependencies, other COPY/ADD/RUN layers are
 * the app.
 */
export function breakdown(image: string, history: readonly HistoryEntry[], stage: Stage, installCommands: readonly string[]): SizeBreakdown {
  const own = history.slice(0, stage.instructions.length);
  const below = history.slice(stage.instructions.length);
  let dependencies = 0;
  let app = 0;
  let other = 0;
  for (const h of own) {
    // podman writes "/bin/sh -c #(nop) COPY ..." for instructions, BuildKit "COPY ... # buildkit"
    const by = h.createdBy.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').trim();
    if (/node_modules/.test(by) || installCommands.some((c) => by.includes(c))) dependencies += h.size;
    else if (METADATA.test(by)) other += h.size;
    else app += h.size; // COPY, ADD, RUN
  }
  const base = below.reduce((n, h) => n + h.size, 0);
  return { image, total: base + dependencies + app + other, base, dependencies, app, other };
}

/** The size report: runtime, debug and single-stage images, and the waste of each. */
export interface SizeReport {
  readonly runtime: SizeBreakdown & { readonly waste: number };
  readonly debug: SizeBreakdown & { readonly waste: number };
  readonly singleStage?: SizeBreakdown & { readonly waste: number };
  /** singleStage.total / runtime.total. */
  readonly ratio?: number;
}

/**
 * Waste of an image: its size minus its base image, the runtime image's production dependencies and
 * the runtime image's app (the bytes that have to be there).
 */
export function sizeReport(runtime: SizeBreakdown, debug: SizeBreakdown, single?: SizeBreakdown): SizeReport {
  const needed = runtime.dependencies + runtime.app;
  const waste = (b: SizeBreakdown) => ({ ...b, waste: Math.max(0, b.total - b.base - needed) });
  return {
    runtime: waste(runtime),
    debug: waste(debug),
    singleStage: single ? waste(single) : undefined,
    ratio: single ? single.total / runtime.total : undefined,
  };
}

/** Bytes as MB with one decimal (kB below 1 MB). */
export function formatBytes(n: number): string {
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}
