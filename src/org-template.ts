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
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import * as semver from 'semver';
import type { AppProps, KubernetesOptions } from './contract/app-props';
import type { TemplateFolder } from './contract/template-folder';
import { familyNames } from './families';
import { TemplateError } from './templates';
import { readJsonFile, readJsonIfValid } from './util/json';
import { UnsafeKeyError, assertSafeData, safeMerge } from './util/safe-object';

/** The file in a template source that holds defaults and policies. */
export const TEMPLATE_MANIFEST = 'msb-template.json';

/** Each member of a union with every property optional (the union stays tagged). */
type PartialEach<T> = T extends unknown ? Partial<T> : never;

/** The Kubernetes settings an org template may default. */
export type OrgKubernetesDefaults = Pick<KubernetesOptions,
  'replicas' | 'resources' | 'labels' | 'annotations' | 'podAnnotations' | 'nodeSelector' | 'tolerations' | 'priorityClassName'>;

/**
 * Defaults an org template applies to every App (the App's own props win): a subset of
 * {@link AppProps}, declared there once. The opt-outs (`allowInsecureDockerfile`,
 * `allowOrgBaseImages`, `kubernetes.allowPodSecurityViolations`) are not in it: only the project's
 * own definition may weaken a guarantee.
 */
export interface OrgTemplateDefaults extends Pick<AppProps, 'baseImages' | 'labels' | 'env'> {
  /** The runtime family and its settings; any of them, the project's own props fill in the rest. */
  readonly runtime?: PartialEach<NonNullable<AppProps['runtime']>>;
  /**
   * Shell commands at the start of the builder (e.g. trusting a corporate CA). They apply to the
   * family this template's `runtime.family` names, or to every family with a builder when it names
   * none (write them for every builder then: Debian trixie images of each language).
   */
  readonly buildSteps?: string[];
  /**
   * Shell commands at the start of the builder of one family, by family name (e.g.
   * `{ "python": ["pip config set global.index-url ..."] }`); after `buildSteps`.
   */
  readonly familyBuildSteps?: { readonly [family: string]: string[] };
  readonly kubernetes?: OrgKubernetesDefaults;
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

/**
 * The JSON Schema of `msb-template.json`, generated from {@link OrgTemplateManifest} (which derives
 * from `AppProps`) by scripts/msb-template-schema.ts and published with the package for editor
 * completion. The manifest is checked against it: the type and the check cannot disagree.
 */
export const TEMPLATE_SCHEMA_FILE = path.resolve(__dirname, '..', 'schemas', 'msb-template.schema.json');

/** The subset of JSON Schema the generator writes. */
interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'number' | 'boolean';
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: JsonSchema;
  enum?: string[];
  const?: string;
  anyOf?: JsonSchema[];
}

let templateSchema: JsonSchema | undefined;
function schema(): JsonSchema {
  templateSchema ??= JSON.parse(fs.readFileSync(TEMPLATE_SCHEMA_FILE, 'utf8')) as JsonSchema;
  return templateSchema;
}

/** Checks a parsed manifest against the published schema; returns `field: problem` strings. */
export function manifestProblems(value: unknown, s: JsonSchema = schema(), at = ''): string[] {
  const where = at || '(top level)';
  const got = `${where}: got ${JSON.stringify(value)}`;
  if (s.anyOf) {
    // A union tagged by `family` (runtime): the branch whose family matches, or the one where family is optional.
    if (!isPlainObject(value)) return [`${got}; expected an object`];
    const tag = (b: JsonSchema) => b.properties?.family;
    const branch = value.family === undefined
      ? s.anyOf.find((b) => !b.required?.includes('family'))
      : s.anyOf.find((b) => tag(b)?.const === value.family || tag(b)?.enum?.includes(String(value.family)));
    if (!branch) {
      const names = s.anyOf.flatMap((b) => tag(b)?.const ?? tag(b)?.enum ?? []);
      return [`${at ? `${at}.` : ''}family: got ${JSON.stringify(value.family)}; expected one of ${names.map((n) => `"${n}"`).join(', ')}`];
    }
    return manifestProblems(value, branch, at);
  }
  if (s.enum) return typeof value === 'string' && s.enum.includes(value) ? [] : [`${got}; expected one of ${s.enum.map((x) => `"${x}"`).join(', ')}`];
  if (s.const !== undefined) return value === s.const ? [] : [`${got}; expected "${s.const}"`];
  switch (s.type) {
    case 'string': return typeof value === 'string' ? [] : [`${got}; expected a string`];
    case 'number': return typeof value === 'number' && Number.isFinite(value) ? [] : [`${got}; expected a number`];
    case 'boolean': return typeof value === 'boolean' ? [] : [`${got}; expected true or false`];
    case 'array': {
      const items = s.items ?? {};
      if (items.type === 'string') return Array.isArray(value) && value.every((x) => typeof x === 'string') ? [] : [`${got}; expected an array of strings`];
      if (!Array.isArray(value)) return [`${got}; expected an array`];
      return value.flatMap((item, i) => manifestProblems(item, items, `${at}[${i}]`));
    }
    default: break;
  }
  if (typeof s.additionalProperties === 'object' && !s.properties) {
    const strings = s.additionalProperties.type === 'string';
    if (strings) return isPlainObject(value) && Object.values(value).every((x) => typeof x === 'string') ? [] : [`${got}; expected an object of string values`];
    if (!isPlainObject(value)) return [`${got}; expected an object`];
    return Object.entries(value).flatMap(([k, v]) => manifestProblems(v, s.additionalProperties as JsonSchema, at ? `${at}.${k}` : k));
  }
  if (!isPlainObject(value)) return [`${got}; expected an object`];
  const properties = s.properties ?? {};
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const key = at ? `${at}.${k}` : k;
    if (!Object.prototype.hasOwnProperty.call(properties, k)) out.push(`${key}: unknown setting; expected one of ${Object.keys(properties).join(', ')}`);
    else if (v !== undefined) out.push(...manifestProblems(v, properties[k], key));
  }
  for (const k of s.required ?? []) if (value[k] === undefined) out.push(`${at ? `${at}.` : ''}${k}: missing; required`);
  return out;
}

function readManifest(root: string, source: string): { manifest: OrgTemplateManifest; file?: string } {
  const file = path.join(root, TEMPLATE_MANIFEST);
  if (!fs.existsSync(file)) return { manifest: {} };
  let parsed: unknown;
  try {
    parsed = readJsonFile(file, TEMPLATE_MANIFEST, 'any');
  } catch (e) {
    throw new TemplateError(`template ${source}: ${(e as Error).message}`, file);
  }
  try {
    assertSafeData(parsed, TEMPLATE_MANIFEST);
  } catch (e) {
    if (e instanceof UnsafeKeyError) throw new TemplateError(`template ${source}: ${file}: ${e.message}`, file);
    throw e;
  }
  const problems = [...manifestProblems(parsed), ...familyKeyProblems(parsed)];
  if (problems.length > 0) {
    throw new TemplateError(`template ${source}: ${file} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`, file);
  }
  return { manifest: parsed as OrgTemplateManifest, file };
}

/** `defaults.familyBuildSteps` keys must name a runtime family (a typo would apply nothing). */
function familyKeyProblems(parsed: unknown): string[] {
  const steps = isPlainObject(parsed) && isPlainObject(parsed.defaults) ? parsed.defaults.familyBuildSteps : undefined;
  if (!isPlainObject(steps)) return [];
  const names = familyNames();
  return Object.keys(steps).filter((k) => !names.includes(k))
    .map((k) => `defaults.familyBuildSteps.${k}: unknown runtime family; expected one of ${names.map((n) => `"${n}"`).join(', ')}`);
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
  return readJsonIfValid(file) as Record<string, any> | undefined;
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
  // Build steps accumulate (every source's CA step applies). A source that names a family keeps its
  // build steps for that family.
  const targeted = over.runtime?.family;
  const familySteps: Record<string, string[]> = Object.create(null);
  const add = (family: string, steps: readonly string[] | undefined) => {
    if (steps && steps.length > 0) familySteps[family] = [...(familySteps[family] ?? []), ...steps];
  };
  for (const [family, steps] of Object.entries(base.familyBuildSteps ?? {})) add(family, steps);
  if (targeted !== undefined) add(targeted, over.buildSteps);
  for (const [family, steps] of Object.entries(over.familyBuildSteps ?? {})) add(family, steps);
  const { familyBuildSteps: _f, ...rest } = merged;
  return {
    ...rest,
    buildSteps: [...(base.buildSteps ?? []), ...(targeted === undefined ? over.buildSteps ?? [] : [])],
    ...(Object.keys(familySteps).length > 0 ? { familyBuildSteps: familySteps } : {}),
  };
}

/** The build steps of the org templates for a family: the untargeted ones, then the family's own. */
export function orgBuildSteps(defaults: OrgTemplateDefaults, family: string): string[] {
  const steps = defaults.familyBuildSteps;
  const own = steps && Object.prototype.hasOwnProperty.call(steps, family) ? steps[family] : [];
  return [...(defaults.buildSteps ?? []), ...own];
}

/**
 * The folders of the template sources for a family, in lookup order: each source's
 * `<family>/` subfolder (partials and Dockerfile.hbs for that family only), then the source itself
 * (partials that replace a built-in partial of that name, whichever family has it).
 */
export function familyTemplateFolders<T extends TemplateFolder>(sources: readonly T[], family: string): TemplateFolder[] {
  return sources.flatMap((s) => {
    const own = path.join(s.dir, family);
    return [...(fs.existsSync(own) && fs.statSync(own).isDirectory() ? [{ dir: own, source: `${s.source} (${family}/)` }] : []), s];
  });
}
