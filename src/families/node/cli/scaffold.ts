/**
 * The files of a new project besides the definition: package.json, and from templates/node/sample/
 * tsconfig.json, a small HTTP service with a health endpoint (src/index.ts), .gitignore and a
 * README. They belong to the user: each is written only when it does not exist yet.
 */
import { DEFAULTS } from '../../../contract/defaults';
import type { FamilyDefinition as Definition, Tooling } from '../../../contract/family-cli';
import { sampleFiles } from '../../kit/sample';

/** The version of a new project (package.json), also its first image tag. */
export const NEW_PROJECT_VERSION = '0.1.0';

/** Versions of the dev dependencies a project needs to run its definition. */
export interface ToolVersions {
  /** npm spec of create-msb-app, e.g. `^0.3.0` or `file:vendor/create-msb-app-0.3.0.tgz`. */
  readonly lib: string;
  readonly projen: string;
  readonly constructs: string;
  /** Runs `.projenrc.ts` (TypeScript and import syntax to CommonJS, in process). */
  readonly sucrase: string;
  readonly typescript: string;
  readonly nodeTypes: string;
}

/** The tool versions of a Node project from the shared tooling. */
export function toolVersions(def: Definition, tooling: Tooling): ToolVersions {
  const v = tooling.versions;
  return { lib: tooling.lib, projen: v.projen, constructs: v.constructs, sucrase: v.sucrase, typescript: v.typescript, nodeTypes: `^${def.runtime.nodeVersion}` };
}

/** The dev dependencies running `.projenrc.ts` needs, with an org template package (adoption adds only these). */
export function definitionDevDeps(v: ToolVersions, def: Definition): Record<string, string> {
  return { 'constructs': v.constructs, 'create-msb-app': v.lib, 'projen': v.projen, 'sucrase': v.sucrase, ...def.extraDevDependencies };
}

/** Files of a new project, path -> content: package.json, and the sample of templates/node/sample/. */
export function newProjectFiles(def: Definition, versions: ToolVersions): Record<string, string> {
  const outDir = def.build === false ? DEFAULTS.build.outDir : def.build.outDir;
  const pkg: Record<string, unknown> = {
    name: def.name,
    version: NEW_PROJECT_VERSION,
    private: true,
    type: 'module',
    scripts: {
      build: 'tsc',
      start: `node ${def.entrypoint}`,
      projen: 'projen',
    },
    devDependencies: sortKeys({
      ...definitionDevDeps(versions, def),
      '@types/node': versions.nodeTypes,
      'typescript': versions.typescript,
    }),
  };
  const pm = def.runtime.packageManager;
  const context = {
    name: def.name,
    port: def.port,
    healthPath: def.healthCheckPath === false ? DEFAULTS.healthCheckPath : def.healthCheckPath,
    outDir,
    run: pm === 'npm' ? 'npm run' : pm,
    repository: def.image.repository,
    tag: def.image.tag ?? NEW_PROJECT_VERSION,
  };
  return { 'package.json': json(pkg), ...sampleFiles('node', context) };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function sortKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}
