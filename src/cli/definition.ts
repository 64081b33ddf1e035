/**
 * The definition: one resolved options object that becomes both the `.projenrc.ts` the user edits
 * and the first synthesis, run here in-process with the library. Both go through the same
 * {@link appProps}, so a later `npx projen` reproduces the first synthesis byte for byte.
 */
import * as semver from 'semver';
import { CliError } from './errors';
import { findFamilyCli } from './families';
import { TemplateSource } from './template-source';
import type { FamilyCli, FamilyDefinition } from '../contract/family-cli';
import { App, AppProps, CiOptions, MsbProject, MsbProjectOptions, parsePackageSpec } from '../index';
import { tsString } from '../util/ts-literal';

/** Everything the definition says; plain data. */
export interface Definition {
  /** App and project name. */
  readonly name: string;
  readonly port: number;
  /** `false`: TCP probes. */
  readonly healthCheckPath: string | false;
  /** Runtime family (`--language`), e.g. `node`. */
  readonly family: string;
  /** The family's own settings (e.g. `nodeVersion`, `packageManager`). */
  readonly runtime: Readonly<Record<string, string>>;
  /** `false` when the app runs its sources as they are. */
  readonly build: { readonly script: string; readonly outDir: string } | false;
  readonly entrypoint: string;
  /** What the runtime image copies from the project besides the dependencies (and the build output). */
  readonly files?: readonly string[];
  /** The family's runtime props beyond its settings (e.g. `args`), from adoption. */
  readonly runtimeExtra?: Readonly<Record<string, string | boolean | readonly string[]>>;
  /** Env baked into the image (e.g. a framework's bind address), from adoption. */
  readonly env?: Readonly<Record<string, string>>;
  /** `tag` only when given explicitly; otherwise synthesis decides (app version, git commit, fallback). */
  readonly image: { readonly repository: string; readonly tag?: string };
  readonly template?: TemplateSource;
  /** `slim: true` (only the traced dependency files in the runtime image). */
  readonly slim?: boolean;
  /** The CI provider of a generated workflow (`--ci`), e.g. `github`. */
  readonly ci?: string;
  /** `compose: true` (the local dev loop), or with the host port when it differs from the app port. */
  readonly compose?: true | { readonly hostPort: number };
}

/** The project options of a definition (the library resolves template sources against the project). */
export function projectOptions(def: Definition, projectDir: string): MsbProjectOptions {
  return { name: def.name, outdir: projectDir, ...templateOption(def.template) };
}

/** The project's own template folder, searched before any org template. */
export const OWN_TEMPLATE_FOLDER = 'msb-templates';

function templateOption(t: TemplateSource | undefined): Pick<MsbProjectOptions, 'template' | 'templateFolder'> {
  if (!t) return {};
  if (t.kind === 'package') {
    // A version or range is checked against what is installed; a file:/URL/git source only says where
    // the install came from (package.json keeps it), so the definition names the package alone.
    const { name, range } = parsePackageSpec(t.spec);
    return { template: range && !semver.validRange(range) ? name : t.spec };
  }
  const rel = t.path.replace(/^\.\//, '');
  return rel === OWN_TEMPLATE_FOLDER ? { templateFolder: rel } : { template: t.path.startsWith('.') ? t.path : `./${t.path}` };
}

/** The App props of a definition. */
export function appProps(def: Definition): AppProps {
  return {
    port: def.port,
    healthCheckPath: def.healthCheckPath,
    runtime: { ...familyOf(def).runtimeProps(def.runtime).props, ...def.runtimeExtra },
    build: def.build === false ? false : { script: def.build.script, outDir: def.build.outDir },
    entrypoint: def.entrypoint,
    ...(def.files ? { files: [...def.files] } : {}),
    ...(def.env ? { env: { ...def.env } } : {}),
    image: def.image.tag === undefined ? { repository: def.image.repository } : { repository: def.image.repository, tag: def.image.tag },
    ...(def.slim ? { slim: true } : {}),
    ...(def.ci ? { ci: { provider: def.ci as CiOptions['provider'] } } : {}),
    ...(def.compose ? { compose: def.compose === true ? true : { hostPort: def.compose.hostPort } } : {}),
  };
}

/** Builds the project in memory (nothing is written). */
export function buildProject(def: Definition, projectDir: string, extra: Partial<MsbProjectOptions> = {}): { project: MsbProject; app: App } {
  const project = new MsbProject({ ...projectOptions(def, projectDir), ...extra });
  const app = new App(project, appProps(def));
  return { project, app };
}

/**
 * Synthesizes in-process, exactly as `npx projen` would with the `.projenrc.ts` of
 * {@link renderProjenrc}. `force` lets it replace files it did not generate.
 */
export function synthesize(def: Definition, projectDir: string, options: { force?: boolean } = {}): App {
  // Without --force, MsbProject reads MSB_FORCE itself (the one place it is read).
  const { project, app } = buildProject(def, projectDir, options.force ? { force: true } : {});
  project.synth();
  return app;
}

/** The `.projenrc.ts` of a definition: readable, commented, public API only. */
export function renderProjenrc(def: Definition): string {
  const option = Object.entries(templateOption(def.template))[0];
  const props: string[] = [];
  const prop = (comment: string[], line: string) => props.push(...comment.map((c) => `  // ${c}`), `  ${line},`);
  prop(['Port the app listens on: EXPOSE, containerPort, the Service target and the probes follow it.'], `port: ${def.port}`);
  prop(['HTTP path of the readiness and liveness probes (false probes the TCP port instead).'], `healthCheckPath: ${lit(def.healthCheckPath)}`);
  const runtime = familyOf(def).runtimeProps(def.runtime);
  const extra = Object.entries(def.runtimeExtra ?? {}).map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${(v as string[]).map(lit).join(', ')}]` : lit(v as string | boolean)}`);
  prop([...runtime.comment, ...(extra.length > 0 ? ['The framework\'s layout, as adoption read it (see the runtime props).'] : [])],
    `runtime: { ${[...Object.entries(runtime.props).map(([k, v]) => `${k}: ${lit(v)}`), ...extra].join(', ')} }`);
  if (def.build === false) {
    prop(['No build step: the runtime image gets the sources listed in `files` and production dependencies.'], 'build: false');
  } else {
    prop([`\`${familyOf(def).buildCommand(def.runtime, def.build.script)}\` writes ${def.build.outDir}/; only the build output goes into the runtime image.`],
      `build: { script: ${lit(def.build.script)}, outDir: ${lit(def.build.outDir)} }`);
  }
  prop(['Script the runtime image runs (CMD, exec form).'], `entrypoint: ${lit(def.entrypoint)}`);
  if (def.env) prop(['Env the framework\'s server needs in a container.'], `env: { ${Object.entries(def.env).map(([k, v]) => `${k}: ${lit(v)}`).join(', ')} }`);
  if (def.files) prop([`Files and folders copied into the runtime image besides ${familyOf(def).alwaysCopied}.`], `files: [${def.files.map(lit).join(', ')}]`);
  if (def.image.tag === undefined) {
    prop(['Where the image is pushed. Its tag is the package version (else the git commit); the debug image is tagged "<tag>-debug".'], `image: { repository: ${lit(def.image.repository)} }`);
  } else {
    prop(['Where the image is pushed; the debug image is tagged "<tag>-debug".'], `image: { repository: ${lit(def.image.repository)}, tag: ${lit(def.image.tag)} }`);
  }
  if (def.slim) {
    prop(['Slim runtime image: only the dependency files the entrypoint loads (traced in the build).',
      'Add what a tracer cannot see with slim: { include: [\'node_modules/<package>\'] }; list the app\'s',
      'routes in `routes` so `npx create-msb-app verify` compares them with the full image.'], 'slim: true');
  }
  if (def.ci) {
    prop(['CI workflow: tests, cached image builds and verify on pull requests; on the release branch and v* tags',
      'signed, attested images for ci.platforms and manifests pinned to their digests (see the ci props).'], `ci: { provider: ${lit(def.ci)} }`);
  }
  if (def.compose) {
    prop(['Local dev loop: compose.yaml runs the image the way the pod runs (read-only root, no capabilities,',
      'the Deployment\'s env and memory limit) and `docker compose watch` rebuilds it on change.',
      'Build secrets: compose: { buildSecrets: [\'ca_cert\'] } reads the file $CA_CERT_FILE names.'],
    def.compose === true ? 'compose: true' : `compose: { hostPort: ${def.compose.hostPort} }`);
  }

  return [
    '// The single definition of this service. Edit it, then run `npx projen`: Dockerfile,',
    '// Dockerfile.debug, .dockerignore and k8s/ are regenerated from it (they are read-only;',
    '// a hand edit stops synthesis instead of being lost). Everything else here stays yours.',
    'import { App, MsbProject } from \'create-msb-app\';',
    '',
    ...(option === undefined
      ? [`const project = new MsbProject({ name: ${lit(def.name)} });`]
      : [
        'const project = new MsbProject({',
        `  name: ${lit(def.name)},`,
        '  // Templates: their partials replace the built-in ones of the same name, their',
        '  // msb-template.json adds defaults and policies.',
        `  ${option[0]}: ${lit(option[1] as string)},`,
        '});',
      ]),
    '',
    '// More settings (env, kubernetes: replicas, resources, ingress, autoscaling...): see the App props.',
    'new App(project, {',
    ...props,
    '});',
    '',
    'project.synth();',
    '',
  ].join('\n');
}

/** A TypeScript literal for a string, number or boolean. */
function lit(value: string | number | boolean): string {
  return typeof value === 'string' ? tsString(value) : String(value);
}

/** The family of a definition. */
export function familyOf(def: Pick<Definition, 'family'>): FamilyCli {
  const family = findFamilyCli(def.family);
  if (!family) throw new CliError(`Unknown runtime family ${JSON.stringify(def.family)}.`);
  return family;
}

/** What the family sees of a definition. */
export function familyDefinition(def: Definition): FamilyDefinition {
  const extra: Record<string, string> = {};
  if (def.template?.kind === 'package') {
    const { name, range } = parsePackageSpec(def.template.spec);
    extra[name] = range ?? 'latest';
  }
  return { ...def, extraDevDependencies: extra };
}
