/**
 * Image sizes and waste. The primary view is by file bytes (sizes of the regular files of an
 * exported filesystem, see files.ts): what the runtime image needs is measured outside it (what the
 * family names, e.g. the production dependencies in their stage, the build output in the build
 * stage, files copied from the build context in the context), and the waste of an image is its
 * file bytes minus its base image's file bytes minus what is needed. The history-based layer
 * breakdown (base, dependency layers, app layers) is kept as a secondary view.
 */
import * as path from 'node:path';
import type { ProjectFacts } from './context';
import { Engine, VerifyError } from './engine';
import { FsEntry, contextFileBytes, fileBytes, imageEntries } from './files';
import { Stage } from './project';
import type { NeededSource } from '../contract/verify-profile';

export type { NeededSource } from '../contract/verify-profile';

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

/** Where the bytes of an image are, by layer (secondary view; see {@link ImageSize}). */
export interface SizeBreakdown {
  /** Image reference. */
  readonly image: string;
  /** Sum of all layers. */
  readonly total: number;
  /** Layers of the base image (below the stage's own instructions). */
  readonly base: number;
  /** Layers holding dependencies (as the family recognises them: a copy of them, or the install step). */
  readonly dependencies: number;
  /** Layers holding the app (build output, runtime files, manifests; sources and build in a single stage). */
  readonly app: number;
  /** Layers that are neither (WORKDIR, metadata). */
  readonly other: number;
}

const METADATA = /^(WORKDIR|ENV|USER|EXPOSE|LABEL|CMD|ENTRYPOINT|ARG|HEALTHCHECK|STOPSIGNAL|SHELL|VOLUME|ONBUILD)\b/;

/**
 * Splits an image's history by the instructions of its last stage: the newest
 * `stage.instructions.length` entries are the stage's own, the rest is the base image. Among its
 * own, layers the family calls dependency layers are dependencies, other COPY/ADD/RUN layers are
 * the app.
 */
export function breakdown(
  image: string,
  history: readonly HistoryEntry[],
  stage: Stage,
  isDependencyLayer: (createdBy: string) => boolean = () => false,
): SizeBreakdown {
  const own = history.slice(0, stage.instructions.length);
  const below = history.slice(stage.instructions.length);
  let dependencies = 0;
  let app = 0;
  let other = 0;
  for (const h of own) {
    // podman writes "/bin/sh -c #(nop) COPY ..." for instructions, BuildKit "COPY ... # buildkit"
    const by = h.createdBy.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').trim();
    if (isDependencyLayer(by)) dependencies += h.size;
    else if (METADATA.test(by)) other += h.size;
    else app += h.size; // COPY, ADD, RUN
  }
  const base = below.reduce((n, h) => n + h.size, 0);
  return { image, total: base + dependencies + app + other, base, dependencies, app, other };
}

/** A {@link NeededSource} with its measured size. */
export interface NeededItem extends NeededSource {
  /** Bytes of its regular files. */
  readonly bytes: number;
}

/** What the runtime image needs: dependencies, build output or runtime files. */
export interface NeededContent {
  readonly items: NeededItem[];
  /** Bytes of the production dependencies. */
  readonly dependencies: number;
  /** Bytes of the app: build output, files copied from the context. */
  readonly app: number;
  readonly total: number;
}

function normalize(p: string): string {
  const n = path.posix.normalize(p).replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

function copyParts(args: string): { from?: string; srcs: string[]; dest: string } | undefined {
  const words = args.split(/\s+/).filter(Boolean);
  const flags = words.filter((w) => w.startsWith('--'));
  const rest = words.filter((w) => !w.startsWith('--'));
  if (rest.length < 2) return undefined;
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, srcs: rest.slice(0, -1), dest: rest[rest.length - 1] };
}

/**
 * What the runtime image needs and where to measure it:
 * - what the family names (e.g. the production dependencies in their stage, a manifest file);
 * - what the runtime stage copies from another build stage (the build output, e.g. `/app/dist`),
 *   except a stage's whole workdir or root, what the family calls not needed, and copies from the
 *   stage of the family's dependencies (already counted);
 * - what it copies from the build context (runtime files, a prebuilt binary), except the whole
 *   context (`.`) and globs.
 * A copy of anything else (the whole source tree, all dependencies) is not needed, so it shows up as waste.
 */
export function neededSources(facts: ProjectFacts): NeededSource[] {
  const wd = normalize(facts.workdir) || '';
  const spec = facts.profile.needed(facts);
  const stageNames = new Set(facts.stages.map((s) => s.name).filter((n): n is string => !!n));
  for (const s of spec.sources) {
    if (s.stage !== undefined && !stageNames.has(s.stage)) throw new VerifyError(`${facts.dockerfile} has no "${s.stage}" stage: cannot tell what the runtime image needs.`);
  }
  const dependencyStages = new Set(spec.sources.filter((s) => s.kind === 'dependencies' && s.stage !== undefined).map((s) => s.stage));
  const out = new Map<string, NeededSource>();
  const add = (s: NeededSource) => {
    if (!out.has(s.path)) out.set(s.path, s);
  };
  spec.sources.forEach(add);
  const runtime = facts.stages[facts.stages.length - 1];
  for (const ins of runtime.instructions) {
    if (ins.keyword !== 'COPY') continue;
    const c = copyParts(ins.args);
    if (!c || (c.from !== undefined && dependencyStages.has(c.from))) continue;
    if (c.from !== undefined && !stageNames.has(c.from)) continue; // from an image: never needed
    const destDir = /\/$/.test(c.dest) || c.srcs.length > 1 || normalize(c.dest) === '';
    const destBase = c.dest.startsWith('/') ? normalize(c.dest) : normalize(path.posix.join(wd || '/', c.dest));
    for (const raw of c.srcs) {
      if (/[*?[]/.test(raw)) continue;
      const src = normalize(raw);
      if (c.from !== undefined) {
        if (src === '' || src === '/' || src === wd) continue;
      } else if (src === '' || src === '/' || src.startsWith('..')) {
        continue;
      }
      if (spec.notNeeded?.({ stage: c.from, src })) continue;
      const dest = destDir ? `${destBase}/${path.posix.basename(src)}` : destBase;
      add({ path: dest, kind: 'app', stage: c.from, src });
    }
  }
  return [...out.values()];
}

/** Sums measured needed items. */
export function neededContent(items: readonly NeededItem[]): NeededContent {
  const dependencies = items.filter((i) => i.kind === 'dependencies').reduce((n, i) => n + i.bytes, 0);
  const app = items.filter((i) => i.kind === 'app').reduce((n, i) => n + i.bytes, 0);
  return { items: [...items], dependencies, app, total: dependencies + app };
}

/** The file bytes of an image and of its base image. */
export interface ImageContent {
  readonly image: string;
  readonly baseImage: string;
  /** Bytes of the regular files of the image's filesystem. */
  readonly fileBytes: number;
  /** Bytes of the regular files of the base image's filesystem. */
  readonly baseFileBytes: number;
}

/** Size of one image: file bytes (primary) and the layer breakdown (secondary). */
export interface ImageSize extends ImageContent {
  /** fileBytes - baseFileBytes: what the Dockerfile added to the base image. */
  readonly addedBytes: number;
  /** addedBytes - needed, at least 0: added bytes beyond what the runtime image needs. */
  readonly waste: number;
  /** needed - addedBytes, at least 0: needed bytes the image does not hold (0 when complete). */
  readonly missing: number;
  /** The history-based layer view; `layers.total` is the image size as the engine counts it. */
  readonly layers: SizeBreakdown;
}

/** The size report: what is needed, then runtime, debug and single-stage images. */
export interface SizeReport {
  readonly needed: NeededContent;
  readonly runtime: ImageSize;
  readonly debug: ImageSize;
  readonly singleStage?: ImageSize;
  /** singleStage.layers.total / runtime.layers.total (image sizes as the engine counts them). */
  readonly ratio?: number;
}

/** Waste of one image against what the runtime image needs. */
export function imageSize(content: ImageContent, layers: SizeBreakdown, needed: NeededContent): ImageSize {
  const addedBytes = content.fileBytes - content.baseFileBytes;
  return {
    ...content,
    addedBytes,
    waste: Math.max(0, addedBytes - needed.total),
    missing: Math.max(0, needed.total - addedBytes),
    layers,
  };
}

/** The size report of the three images. */
export function sizeReport(
  needed: NeededContent,
  runtime: { content: ImageContent; layers: SizeBreakdown },
  debug: { content: ImageContent; layers: SizeBreakdown },
  single?: { content: ImageContent; layers: SizeBreakdown },
): SizeReport {
  return {
    needed,
    runtime: imageSize(runtime.content, runtime.layers, needed),
    debug: imageSize(debug.content, debug.layers, needed),
    singleStage: single ? imageSize(single.content, single.layers, needed) : undefined,
    ratio: single ? single.layers.total / runtime.layers.total : undefined,
  };
}

/** Bytes as MB with one decimal (kB below 1 MB). */
export function formatBytes(n: number): string {
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

/**
 * Measures what the runtime image needs (see {@link neededSources}) outside the runtime image:
 * `buildStage(name)` builds a stage (`--target`) and returns its tag, whose filesystem is exported
 * once per stage; context paths are measured in `context` (without what .dockerignore excludes).
 */
export async function measureNeeded(
  engine: Engine,
  sources: readonly NeededSource[],
  context: string,
  buildStage: (stage: string) => Promise<string>,
  track?: Set<string>,
): Promise<NeededContent> {
  const stages = new Map<string, FsEntry[]>();
  const items: NeededItem[] = [];
  for (const s of sources) {
    if (s.stage === undefined) {
      items.push({ ...s, bytes: contextFileBytes(context, s.src) });
      continue;
    }
    let entries = stages.get(s.stage);
    if (!entries) {
      entries = await imageEntries(engine, await buildStage(s.stage), track);
      stages.set(s.stage, entries);
    }
    items.push({ ...s, bytes: fileBytes(entries, s.src) });
  }
  return neededContent(items);
}

/**
 * File bytes of an image and of its base image (each read once; base images are remembered in
 * `baseCache` across calls). `entries` reuses a reading already made of `image`.
 */
export async function imageContent(
  engine: Engine,
  image: string,
  baseImage: string,
  options: { entries?: readonly FsEntry[]; baseCache?: Map<string, number>; track?: Set<string> } = {},
): Promise<ImageContent> {
  const entries = options.entries ?? await imageEntries(engine, image, options.track);
  let baseFileBytes = options.baseCache?.get(baseImage);
  if (baseFileBytes === undefined) {
    baseFileBytes = fileBytes(await imageEntries(engine, baseImage, options.track));
    options.baseCache?.set(baseImage, baseFileBytes);
  }
  return { image, baseImage, fileBytes: fileBytes(entries), baseFileBytes };
}
