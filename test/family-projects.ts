/**
 * A project of each runtime family, synthesized in process into a temporary directory: for a family
 * with a CLI side, the files its `FamilyCli.newProjectFiles` writes for a new project with every
 * setting at its default (what `create-msb-app --language <name> --yes` writes, without the install);
 * for a family without one, the smallest definition its own test uses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppProps } from '../src';
import { synth, tempDir } from './util';
import { DEFAULTS } from '../src/contract/defaults';
import type { RuntimeFamily } from '../src/contract/family';
import type { FamilyCli, FamilyDefinition, SettingContext, Tooling } from '../src/contract/family-cli';
import type { AppModel } from '../src/contract/model';
import { type FAMILY_TABLE, type FamilyRegistration, findRegistration } from '../src/families';

/** The App name and image repository of every family project. */
const NAME = 'orders-api';
const REPOSITORY = `ghcr.io/acme/${NAME}`;

/** The tooling a new project's manifest names (fixed versions, as test/core/families-plumbing.test.ts uses; nothing is installed). */
const TOOLING: Tooling = { lib: '^0.0.0', versions: { projen: '^0.90.0', constructs: '^10.0.0', sucrase: '^3.35.0', typescript: '^5.0.0' } };

/** A project of a family without a CLI side. */
export interface FamilyDefinitionWithoutCli {
  readonly props: AppProps;
  /** The project's files (path -> content). */
  readonly files: Readonly<Record<string, string>>;
  /** The test it is taken from. */
  readonly from: string;
}

/**
 * Families without a CLI side (the CLI cannot tell their projects, so only a definition makes one):
 * the smallest definition and files of their own test. A family without a CLI that is missing here
 * fails {@link familyProject} naming this table.
 */
export const DEFINITIONS_WITHOUT_CLI: Readonly<Record<string, FamilyDefinitionWithoutCli>> = {
  static: { props: { runtime: { family: 'static', binary: 'bin/server' } }, files: { 'bin/server': '\x7fELF' }, from: 'test/core/static-family.test.ts' },
};

/** A synthesized project of one family. */
export interface FamilyProject {
  /** Its name in {@link FAMILY_TABLE}. */
  readonly name: string;
  readonly registration: FamilyRegistration;
  /** The synthesis part of the family (`registration.family`). */
  readonly family: RuntimeFamily;
  /** The definition it was synthesized from. */
  readonly props: AppProps;
  /** The project folder. */
  readonly dir: string;
  /** What synthesis wrote (path -> content), the project's own files included. */
  readonly files: Readonly<Record<string, string>>;
  readonly model: AppModel;
  /** What the family read from the folder (`readFacts`). */
  readonly facts: unknown;
}

/** The definition of a new project of a family with a CLI, every setting at its default (no flags, no prompts). */
function newProjectDefinition(cli: FamilyCli, dir: string): FamilyDefinition {
  const ctx: SettingContext = { interactive: false, mode: 'new', dir, cwd: dir, directoryName: NAME, version: cli.newProjectVersion, values: {} };
  for (const s of cli.settings) ctx.values[s.key] = s.default(ctx);
  const build = cli.newProjectBuild === undefined ? { ...DEFAULTS.build } : cli.newProjectBuild;
  return {
    name: NAME,
    port: DEFAULTS.port,
    healthCheckPath: DEFAULTS.healthCheckPath,
    runtime: Object.fromEntries(cli.settings.map((s) => [s.key, String(ctx.values[s.key])])),
    build,
    entrypoint: cli.defaultEntrypoint(build),
    image: { repository: REPOSITORY },
    extraDevDependencies: {},
  };
}

function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
}

/** Synthesizes a project of the family registered as `name` in {@link FAMILY_TABLE}. */
export async function familyProject(name: string): Promise<FamilyProject> {
  const registration = findRegistration(name);
  if (!registration) throw new Error(`no family "${name}" in FAMILY_TABLE (src/families/index.ts)`);
  const dir = tempDir(`msb-family-${name}-`);
  let props: AppProps;
  if (registration.cli) {
    const cli = await registration.cli();
    const def = newProjectDefinition(cli, dir);
    writeFiles(dir, cli.newProjectFiles(def, TOOLING));
    props = {
      port: def.port,
      healthCheckPath: def.healthCheckPath,
      runtime: cli.runtimeProps(def.runtime).props as AppProps['runtime'],
      build: def.build === false ? false : { ...def.build },
      entrypoint: def.entrypoint,
      image: { repository: REPOSITORY },
    };
  } else {
    const own = DEFINITIONS_WITHOUT_CLI[name];
    if (!own) throw new Error(`family "${name}" has no CLI side: add the smallest definition of its own test to DEFINITIONS_WITHOUT_CLI (test/family-projects.ts)`);
    writeFiles(dir, own.files);
    props = own.props;
  }
  const { app, files } = synth(props, { dir, name: NAME });
  return { name, registration, family: registration.family, props, dir, files, model: app.model, facts: registration.family.readFacts(dir) };
}
