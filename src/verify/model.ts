/**
 * What verify needs to know about the app: the slice of the resolved model that synthesis records in
 * `.projen/msb.json` under `model`. verify reads intent from there, not from Dockerfile strings.
 * A project synthesized by an older create-msb-app has no recorded model: {@link readVerifyModel}
 * says so in one line and falls back to reading the generated files ({@link modelFromGeneratedFiles},
 * the only place that reads intent back out of them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { VerifyError } from './engine';
import { OUTPUT_PATHS, RECORD_FILE, type VerifyModel } from '../contract/record';
import type { VerifyProfile } from '../contract/verify-profile';
import { parseDockerfile } from '../dockerfile/parser';
import { readJsonFile } from '../util/json';


/** The recorded model is missing a field or has one of the wrong type. */
export class VerifyModelError extends Error {
  constructor(
    /** Path of the field in the record, e.g. `model.port`. */
    readonly field: string,
    readonly value: unknown,
    /** What would be valid. */
    readonly expected: string,
    readonly file: string = RECORD_FILE,
  ) {
    super(`${file}: ${field} is ${value === undefined ? 'missing' : JSON.stringify(value)}; expected ${expected}. Run \`npx projen\` to write it again.`);
    this.name = 'VerifyModelError';
  }
}

type Kind = 'string' | 'port' | 'id' | 'boolean' | 'strings' | 'env';
const EXPECTED: Record<Kind, string> = {
  string: 'a non-empty string',
  port: 'an integer from 1 to 65535',
  id: 'an integer from 0 to 4294967294',
  boolean: 'true or false',
  strings: 'an array of strings',
  env: 'an object of string values',
};

/**
 * Where each field of {@link VerifyModel} is in the recorded model, and its kind. This table is the
 * mapping from the recorded shape: when synthesis records the model in another shape, change the
 * paths here. `?` marks an optional field.
 */
const FIELDS: readonly { readonly field: string; readonly path: string; readonly kind: Kind; readonly optional?: boolean }[] = [
  { field: 'family', path: 'family', kind: 'string' },
  { field: 'name', path: 'name', kind: 'string' },
  { field: 'workdir', path: 'workdir', kind: 'string' },
  { field: 'port', path: 'port', kind: 'port' },
  { field: 'uid', path: 'uid', kind: 'id' },
  { field: 'gid', path: 'gid', kind: 'id' },
  { field: 'healthPath', path: 'healthPath', kind: 'string', optional: true },
  { field: 'entrypoint', path: 'entrypoint', kind: 'strings', optional: true },
  { field: 'cmd', path: 'cmd', kind: 'strings' },
  { field: 'images.builder', path: 'images.builder', kind: 'string', optional: true },
  { field: 'images.runtime', path: 'images.runtime', kind: 'string' },
  { field: 'images.debug', path: 'images.debug', kind: 'string' },
  { field: 'hasBuild', path: 'hasBuild', kind: 'boolean' },
  { field: 'stages.dependencies', path: 'stages.dependencies', kind: 'string', optional: true },
  { field: 'stages.build', path: 'stages.build', kind: 'string', optional: true },
  { field: 'stages.traced', path: 'stages.traced', kind: 'string', optional: true },
  { field: 'stages.runtime', path: 'stages.runtime', kind: 'string' },
  { field: 'packageManager', path: 'packageManager', kind: 'string', optional: true },
  { field: 'env', path: 'env', kind: 'env' },
  { field: 'routes', path: 'routes', kind: 'strings', optional: true },
];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function valid(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string': return typeof v === 'string' && v !== '';
    case 'port': return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
    case 'id': return Number.isInteger(v) && (v as number) >= 0 && (v as number) < 4294967295;
    case 'boolean': return typeof v === 'boolean';
    case 'strings': return Array.isArray(v) && v.every((s) => typeof s === 'string');
    case 'env': return isRecord(v) && Object.values(v).every((s) => typeof s === 'string');
  }
}

/**
 * Maps the model recorded in `.projen/msb.json` onto {@link VerifyModel}; throws a
 * {@link VerifyModelError} naming the first field that is missing or of the wrong type.
 * @param where how errors name the file and the record's fields (`model.port`)
 */
export function toVerifyModel(recorded: unknown, where: { readonly file: string; readonly prefix: string } = { file: RECORD_FILE, prefix: 'model.verify' }): VerifyModel {
  const label = (p: string) => (where.prefix ? `${where.prefix}.${p}` : p);
  if (!isRecord(recorded)) throw new VerifyModelError(where.prefix || '(model)', recorded, 'an object', where.file);
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) {
    let v: unknown = recorded;
    for (const key of f.path.split('.')) v = isRecord(v) && Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
    if (v === undefined || v === null) {
      if (f.optional) continue;
      throw new VerifyModelError(label(f.path), undefined, EXPECTED[f.kind], where.file);
    }
    if (!valid(f.kind, v)) throw new VerifyModelError(label(f.path), v, EXPECTED[f.kind], where.file);
    const keys = f.field.split('.');
    let at = out;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= Object.create(null) as Record<string, unknown>) as Record<string, unknown>;
    at[keys[keys.length - 1]] = f.kind === 'env' ? { ...(v as Record<string, string>) } : f.kind === 'strings' ? [...(v as string[])] : v;
  }
  return out as unknown as VerifyModel;
}

/** A model and where it came from. */
export interface ReadModel {
  readonly model: VerifyModel;
  /** `recorded`: from `.projen/msb.json`; `generated-files`: read back from the Dockerfile and manifests. */
  readonly source: 'recorded' | 'generated-files';
  /** One line for the user when the model was not recorded. */
  readonly note?: string;
}

/**
 * The model of the project in `dir`: the one recorded in `.projen/msb.json` under `model`, else
 * (older projects) read from the generated files, with a note saying so. `profiles` recognise the
 * family of such an older project.
 */
export function readVerifyModel(dir: string, profiles: readonly VerifyProfile[]): ReadModel {
  const file = path.join(dir, RECORD_FILE);
  let record: unknown;
  if (fs.existsSync(file)) {
    try {
      record = readJsonFile(file, RECORD_FILE, 'any');
    } catch (e) {
      throw new VerifyModelError('(the whole file)', undefined, `JSON (${(e as Error).message})`);
    }
  }
  if (isRecord(record) && record.model === undefined && isRecord(record.apps)) {
    // A workspace project: each App's outputs lie in its folder and its context is the root.
    throw new VerifyError(`${dir} is a workspace project with several Apps (${Object.keys(record.apps).join(', ')}): verify checks a single App's project and does not check workspace Apps yet; build one with \`docker build -f <app folder>/Dockerfile .\` from the root.`);
  }
  if (isRecord(record) && record.model !== undefined) {
    const slice = isRecord(record.model) ? record.model.verify : undefined;
    return { model: toVerifyModel(slice), source: 'recorded' };
  }
  return {
    model: modelFromGeneratedFiles(dir, profiles),
    source: 'generated-files',
    note: `${RECORD_FILE} records no model (synthesized by an older create-msb-app): read from ${OUTPUT_PATHS.dockerfile} and ${OUTPUT_PATHS.base}/deployment.yaml instead; run \`npx projen\` to record it.`,
  };
}

/**
 * The fallback for projects synthesized before the model was recorded: the runtime stage's
 * WORKDIR, EXPOSE, USER, ENTRYPOINT and CMD, the FROM images, the Deployment's probe path, name and
 * env; the family (and its package manager and stage names) is whichever profile recognises the
 * RUN commands. Throws a {@link VerifyModelError} naming what it cannot find.
 */
export function modelFromGeneratedFiles(dir: string, profiles: readonly VerifyProfile[]): VerifyModel {
  const read = (rel: string) => {
    const f = path.join(dir, rel);
    if (!fs.existsSync(f)) throw new VerifyError(`${f} not found: run verify in a project made by create-msb-app (or run \`npx projen\` there first).`);
    return fs.readFileSync(f, 'utf8');
  };
  const stages = parseDockerfile(read(OUTPUT_PATHS.dockerfile));
  const debugStages = parseDockerfile(read(OUTPUT_PATHS.debugDockerfile));
  if (stages.length < 2) throw new VerifyError(`${OUTPUT_PATHS.dockerfile} in ${dir} has ${stages.length} stage(s); expected a multi-stage Dockerfile written by create-msb-app.`);
  const runtime = stages[stages.length - 1];
  const last = (kw: string) => [...runtime.instructions].reverse().find((i) => i.keyword === kw)?.args;
  const json = (s: string | undefined): string[] | undefined => {
    try {
      const v: unknown = s === undefined ? undefined : JSON.parse(s);
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const runs = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
  const found = profiles.map((p) => ({ family: p.family, r: p.recognizeLegacy?.(runs) })).find((x) => x.r);
  if (!found?.r) throw new VerifyError(`${OUTPUT_PATHS.dockerfile} in ${dir} installs dependencies the way none of the families (${profiles.map((p) => p.family).join(', ')}) does, and ${RECORD_FILE} records no model: run \`npx projen\` to record it.`);
  const legacy = found.r;
  const build = legacy.stages.build !== undefined && stages.some((s) => s.name === legacy.stages.build) ? legacy.stages.build : undefined;
  const user = /^(\d+)(?::(\d+))?/.exec(last('USER') ?? '');
  const deployment = readDeployment(dir);
  const container = deployment?.spec?.template?.spec?.containers?.[0];
  const env: Record<string, string> = {};
  for (const e of Array.isArray(container?.env) ? container.env : []) if (typeof e?.name === 'string' && typeof e?.value === 'string') env[e.name] = e.value;
  const healthPath = container?.readinessProbe?.httpGet?.path ?? container?.livenessProbe?.httpGet?.path;
  return toVerifyModel({
    family: found.family,
    name: typeof deployment?.metadata?.name === 'string' ? deployment.metadata.name : path.basename(dir),
    workdir: last('WORKDIR') ?? '/',
    port: Number(/^(\d+)/.exec(last('EXPOSE') ?? '')?.[1] ?? NaN),
    uid: user ? Number(user[1]) : undefined,
    gid: user ? Number(user[2] ?? user[1]) : undefined,
    healthPath: typeof healthPath === 'string' ? healthPath : undefined,
    entrypoint: json(last('ENTRYPOINT')),
    cmd: json(last('CMD')) ?? [],
    images: {
      builder: legacy.stages.build || legacy.stages.dependencies ? stages[0].from : undefined,
      runtime: runtime.from,
      debug: debugStages[debugStages.length - 1]?.from,
    },
    hasBuild: build !== undefined,
    stages: { dependencies: legacy.stages.dependencies, build, runtime: runtime.name ?? String(stages.length - 1) },
    packageManager: legacy.packageManager,
    env,
  }, { file: `${OUTPUT_PATHS.dockerfile} (no recorded model)`, prefix: '' });
}

function readDeployment(dir: string): any {
  try {
    return parseYaml(fs.readFileSync(path.join(dir, OUTPUT_PATHS.base, 'deployment.yaml'), 'utf8'));
  } catch {
    return undefined;
  }
}
