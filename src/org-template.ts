/**
 * Org templates: a folder or an npm package that a platform team publishes once for every service.
 *
 * A template source holds `templates/partials/*.hbs` (replacing built-in partials one by one) and an
 * optional `msb-template.json` with typed defaults (applied under each App's own props), policies
 * (which reject a definition with a clear error) and `.dockerignore` additions. Sources are searched
 * in order: the project's own folder, then the org package, then the built-ins.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Component, Project } from 'projen';
import * as semver from 'semver';
import { TemplateError, TemplateFolder } from './templates';
import { UnsafeKeyError, assertSafeData, safeMerge } from './util/safe-object';

/** The file in a template source that holds defaults and policies. */
export const TEMPLATE_MANIFEST = 'msb-template.json';

/** Defaults an org template applies to every App (the App's own props win). */
export interface OrgTemplateDefaults {
  readonly runtime?: { nodeVersion?: string; packageManager?: string };
  readonly baseImages?: { mirror?: string; builder?: string; runtime?: string; debug?: string };
  /** Image labels. */
  readonly labels?: Record<string, string>;
  /** Environment baked into the image. */
  readonly env?: Record<string, string>;
  /** Shell commands at the start of the builder (e.g. trusting a corporate CA); always applied. */
  readonly buildSteps?: string[];
  readonly kubernetes?: {
    replicas?: number;
    resources?: { cpuRequest?: string; memoryRequest?: string; memoryLimit?: string; cpuLimit?: string };
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    podAnnotations?: Record<string, string>;
    nodeSelector?: Record<string, string>;
    tolerations?: { key?: string; operator?: 'Exists' | 'Equal'; value?: string; effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
    priorityClassName?: string;
  };
}

/** Rules every App must follow; a violation is a validation error naming the template. */
export interface OrgTemplatePolicies {
  /** Every base image must come from one of these registries (host[:port][/path]). */
  readonly allowedRegistries?: string[];
  /** The App image repository must start with one of these prefixes. */
  readonly allowedImageRepositories?: string[];
  /** Env names every App defines (image env or Kubernetes env). */
  readonly requiredEnv?: string[];
  /** Image label keys every App carries. */
  readonly requiredLabels?: string[];
  /** Lowest replica count (or autoscaling minimum). */
  readonly minReplicas?: number;
}

/** The content of `msb-template.json`. */
export interface OrgTemplateManifest {
  readonly defaults?: OrgTemplateDefaults;
  readonly policies?: OrgTemplatePolicies;
  /** Extra `.dockerignore` patterns. */
  readonly dockerignore?: string[];
}

/** A loaded template source. */
export interface TemplateSource extends TemplateFolder {
  readonly manifest: OrgTemplateManifest;
  /** The manifest file, for messages. */
  readonly manifestFile?: string;
}

/** Options that name the template sources of a project. */
export interface TemplateSourceOptions {
  /**
   * The org template: an npm package name (with an optional version or range, checked against what
   * is installed) or a folder path (starting with `.` or `/`).
   * @default - none
   */
  readonly template?: string;
  /**
   * The project's own template folder, searched first.
   * @default "msb-templates" when that folder exists
   */
  readonly templateFolder?: string;
}

type Shape = 'string' | 'number' | 'stringArray' | 'stringMap' | { [key: string]: Shape } | ['objectArray', { [key: string]: Shape }];

const K8S_DEFAULTS: Shape = {
  replicas: 'number',
  resources: { cpuRequest: 'string', memoryRequest: 'string', memoryLimit: 'string', cpuLimit: 'string' },
  labels: 'stringMap',
  annotations: 'stringMap',
  podAnnotations: 'stringMap',
  nodeSelector: 'stringMap',
  tolerations: ['objectArray', { key: 'string', operator: 'string', value: 'string', effect: 'string' }],
  priorityClassName: 'string',
};

const MANIFEST_SHAPE: Shape = {
  defaults: {
    runtime: { nodeVersion: 'string', packageManager: 'string' },
    baseImages: { mirror: 'string', builder: 'string', runtime: 'string', debug: 'string' },
    labels: 'stringMap',
    env: 'stringMap',
    buildSteps: 'stringArray',
    kubernetes: K8S_DEFAULTS,
  },
  policies: {
    allowedRegistries: 'stringArray',
    allowedImageRepositories: 'stringArray',
    requiredEnv: 'stringArray',
    requiredLabels: 'stringArray',
    minReplicas: 'number',
  },
  dockerignore: 'stringArray',
};

/** Checks a parsed manifest against its shape; returns `field: problem` strings. */
export function manifestProblems(value: unknown, shape: Shape = MANIFEST_SHAPE, at = ''): string[] {
  const where = at || '(top level)';
  if (shape === 'string') return typeof value === 'string' ? [] : [`${where}: got ${JSON.stringify(value)}; expected a string`];
  if (shape === 'number') return typeof value === 'number' && Number.isFinite(value) ? [] : [`${where}: got ${JSON.stringify(value)}; expected a number`];
  if (shape === 'stringArray') {
    return Array.isArray(value) && value.every((x) => typeof x === 'string') ? [] : [`${where}: got ${JSON.stringify(value)}; expected an array of strings`];
  }
  if (shape === 'stringMap') {
    return isPlainObject(value) && Object.values(value).every((x) => typeof x === 'string') ? [] : [`${where}: got ${JSON.stringify(value)}; expected an object of string values`];
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${where}: got ${JSON.stringify(value)}; expected an array of objects`];
    return value.flatMap((item, i) => manifestProblems(item, shape[1], `${at}[${i}]`));
  }
  if (!isPlainObject(value)) return [`${where}: got ${JSON.stringify(value)}; expected an object`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const key = at ? `${at}.${k}` : k;
    if (!(k in shape)) out.push(`${key}: unknown setting; expected one of ${Object.keys(shape).join(', ')}`);
    else if (v !== undefined) out.push(...manifestProblems(v, shape[k], key));
  }
  return out;
}

function readManifest(root: string, source: string): { manifest: OrgTemplateManifest; file?: string } {
  const file = path.join(root, TEMPLATE_MANIFEST);
  if (!fs.existsSync(file)) return { manifest: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TemplateError(`template ${source}: ${file} is not valid JSON: ${(e as Error).message}`, file);
  }
  try {
    assertSafeData(parsed, TEMPLATE_MANIFEST);
  } catch (e) {
    if (e instanceof UnsafeKeyError) throw new TemplateError(`template ${source}: ${file}: ${e.message}`, file);
    throw e;
  }
  const problems = manifestProblems(parsed);
  if (problems.length > 0) {
    throw new TemplateError(`template ${source}: ${file} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`, file);
  }
  return { manifest: parsed as OrgTemplateManifest, file };
}

/** Splits `@scope/name@^2.0.0` into name and range. */
export function parsePackageSpec(spec: string): { name: string; range?: string } {
  const at = spec.lastIndexOf('@');
  if (at > 0) return { name: spec.slice(0, at), range: spec.slice(at + 1) || undefined };
  return { name: spec };
}

function isFolderSpec(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:');
}

/** Loads one template source (folder or installed package) relative to the project directory. */
export function loadTemplateSource(spec: string, projectDir: string): TemplateSource {
  let root: string;
  let source: string;
  if (isFolderSpec(spec)) {
    root = path.resolve(projectDir, spec.replace(/^file:/, ''));
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
      throw new TemplateError(`template "${spec}": folder ${root} does not exist`, root);
    }
    const pkg = readJson(path.join(root, 'package.json'));
    source = pkg?.name ? `${pkg.name}@${pkg.version} (${spec})` : spec;
  } else {
    const { name, range } = parsePackageSpec(spec);
    let pkgJson: string;
    try {
      pkgJson = require.resolve(`${name}/package.json`, { paths: [projectDir] });
    } catch {
      throw new TemplateError(`template "${spec}": package ${name} is not installed in ${projectDir} (install it as a dev dependency, e.g. npm install -D ${spec})`, name);
    }
    root = path.dirname(pkgJson);
    const version = readJson(pkgJson)?.version as string | undefined;
    if (range && version && semver.validRange(range) && !semver.satisfies(version, range)) {
      throw new TemplateError(`template "${spec}": installed ${name} is ${version}, which does not satisfy ${range}`, pkgJson);
    }
    source = `${name}@${version ?? 'unknown'}`;
  }
  const templatesDir = fs.existsSync(path.join(root, 'templates')) ? path.join(root, 'templates') : root;
  const { manifest, file } = readManifest(root, source);
  return { dir: templatesDir, source, manifest, manifestFile: file };
}

function readJson(file: string): Record<string, any> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The template sources of a project, in lookup order (project folder first). Apps find it with
 * `TemplateSources.of(project)`.
 */
export class TemplateSources extends Component {
  static of(project: Project): TemplateSources | undefined {
    return project.components.find((c): c is TemplateSources => c instanceof TemplateSources);
  }

  readonly sources: readonly TemplateSource[];

  constructor(project: Project, options: TemplateSourceOptions) {
    super(project, 'TemplateSources');
    const list: TemplateSource[] = [];
    const own = options.templateFolder ?? 'msb-templates';
    const ownDir = path.resolve(project.outdir, own);
    if (options.templateFolder !== undefined || fs.existsSync(ownDir)) {
      const loaded = loadTemplateSource(own.startsWith('.') || own.startsWith('/') ? own : `./${own}`, project.outdir);
      list.push({ ...loaded, source: `project:${own}` });
    }
    if (options.template) list.push(loadTemplateSource(options.template, project.outdir));
    this.sources = list;
  }

  /** Defaults merged in lookup order (an earlier source wins). */
  get defaults(): OrgTemplateDefaults {
    return [...this.sources].reverse().reduce<OrgTemplateDefaults>((acc, s) => mergeDefaults(acc, s.manifest.defaults ?? {}), {});
  }

  /** Policies of every source, each with its source name. */
  get policies(): { source: string; policies: OrgTemplatePolicies }[] {
    return this.sources.filter((s) => s.manifest.policies).map((s) => ({ source: s.source, policies: s.manifest.policies! }));
  }

  /** `.dockerignore` additions of every source. */
  get dockerignore(): string[] {
    return this.sources.flatMap((s) => s.manifest.dockerignore ?? []);
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Deep merge: objects merge (into null-prototype objects), anything else from `over` replaces
 * `base`; a `__proto__`, `constructor` or `prototype` key is an `UnsafeKeyError`.
 */
export function deepMerge<T>(base: T, over: unknown, where = 'props'): T {
  return safeMerge(base, over, where);
}

function mergeDefaults(base: OrgTemplateDefaults, over: OrgTemplateDefaults): OrgTemplateDefaults {
  const merged = deepMerge(base, over);
  // build steps accumulate (every source's CA step applies)
  return { ...merged, buildSteps: [...(base.buildSteps ?? []), ...(over.buildSteps ?? [])] };
}
