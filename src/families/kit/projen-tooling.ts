/**
 * The Node.js tooling a project of any family needs to run its definition (`.projenrc.ts` through
 * projen): a package.json holding create-msb-app, projen, constructs and sucrase as dev
 * dependencies, installed with npm. For a Python, Go or Java project this package.json is tooling
 * only: never the app's manifest (the family reads its own: pyproject.toml, go.mod, pom.xml), and
 * never in the image. A family without Node.js builds its FamilyCli's install side from here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FamilyDefinition, Tooling } from '../../contract/family-cli';
import { exec, type ExecOptions } from '../../util/exec';
import { readJsonIfValid } from '../../util/json';

/** The manifest that holds the tooling. */
export const TOOLING_MANIFEST = 'package.json';
/** The folder npm installs the tooling into (moved aside during an adoption, in .gitignore and .dockerignore). */
export const TOOLING_FOLDER = 'node_modules';

/** How a CI job installs the tooling (`create-msb-app verify` runs from it) from the committed lockfile. */
export const TOOLING_CI_INSTALL = 'npm ci --no-audit --no-fund';

/**
 * The Node.js line a CI job sets up for the tooling of a project whose app does not run on Node.js:
 * the Node.js family's default line (test/core/family-registration.test.ts holds them equal).
 */
export const TOOLING_NODE_VERSION = '26';

/** The dev dependencies running `.projenrc.ts` needs, with an org template package. */
export function toolingDevDependencies(def: FamilyDefinition, tooling: Tooling): Record<string, string> {
  const v = tooling.versions;
  return { 'constructs': v.constructs, 'create-msb-app': tooling.lib, 'projen': v.projen, 'sucrase': v.sucrase, ...def.extraDevDependencies };
}

/**
 * The tooling package.json of a new (or adopted, when it has none) project of a non-Node family:
 * private, no version and no scripts but `projen`, so nothing takes it for the app's manifest.
 */
export function toolingPackageJson(def: FamilyDefinition, tooling: Tooling): string {
  const pkg = {
    name: `${def.name}-tooling`,
    private: true,
    description: `Tooling that runs .projenrc.ts (npx projen) for ${def.name}; not part of the app or its image.`,
    scripts: { projen: 'projen' },
    devDependencies: sortKeys(toolingDevDependencies(def, tooling)),
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** The dev dependencies the project's package.json lacks (existing entries are never changed); all of them without one. */
export function missingToolingDependencies(dir: string, def: FamilyDefinition, tooling: Tooling): Record<string, string> {
  type Deps = { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const pkg = readJsonIfValid(path.join(dir, TOOLING_MANIFEST)) as Deps | undefined;
  const have = { ...pkg?.dependencies, ...pkg?.devDependencies };
  return Object.fromEntries(Object.entries(toolingDevDependencies(def, tooling)).filter(([name]) => have[name] === undefined));
}

/**
 * Adds the tooling without installing it: writes the tooling package.json when there is none, else
 * adds the missing dev dependencies to it. Returns the manifest's path when it changed.
 */
export function addToolingDependencies(dir: string, def: FamilyDefinition, tooling: Tooling): string | undefined {
  const file = path.join(dir, TOOLING_MANIFEST);
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, toolingPackageJson(def, tooling));
    return TOOLING_MANIFEST;
  }
  return writeDevDependencies(dir, missingToolingDependencies(dir, def, tooling)) ? TOOLING_MANIFEST : undefined;
}

/**
 * Installs the tooling with npm (a new project's package.json is written by the family's
 * newProjectFiles; an adopted project gets one, or the missing dev dependencies). Returns the
 * manifest's path when the install changed it.
 */
export async function installTooling(
  dir: string, mode: 'new' | 'adopt', def: FamilyDefinition, tooling: Tooling, options: Pick<ExecOptions, 'env' | 'signal'>,
): Promise<string | undefined> {
  const changed = mode === 'adopt' ? addToolingDependencies(dir, def, tooling) : undefined;
  await exec('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: { ...(options.env ?? process.env), npm_config_update_notifier: 'false' },
    signal: options.signal,
    purpose: 'install the tooling that runs .projenrc.ts (install Node.js and npm, or pass --skip-install)',
  });
  return changed;
}

/**
 * Adds dev dependencies to a package.json without a package manager. The edit is textual, so the
 * rest of the file keeps its formatting byte for byte. Returns whether it changed the file.
 */
export function writeDevDependencies(dir: string, deps: Record<string, string>): boolean {
  const entries = Object.entries(deps);
  if (entries.length === 0) return false;
  const file = path.join(dir, TOOLING_MANIFEST);
  const text = fs.readFileSync(file, 'utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
  const lines = (inner: string) => entries.map(([n, v]) => `${inner}${JSON.stringify(n)}: ${JSON.stringify(v)}`);
  let updated: string;
  const existing = /"devDependencies"\s*:\s*\{([^{}]*)\}/.exec(text);
  if (existing) {
    const body = existing[1];
    const inner = /^([ \t]+)"/m.exec(body)?.[1] ?? indent + indent;
    const kept = body.replace(/\s*$/, '');
    const closing = /\n([ \t]*)$/.exec(body)?.[1] ?? indent;
    const newBody = (kept.trim() === '' ? '' : `${kept},`) + eol + lines(inner).join(`,${eol}`) + eol + closing;
    updated = text.slice(0, existing.index) + `"devDependencies": {${newBody}}` + text.slice(existing.index + existing[0].length);
  } else {
    const close = text.lastIndexOf('}');
    const before = text.slice(0, close).replace(/\s*$/, '');
    const block = `${indent}"devDependencies": {${eol}${lines(indent + indent).join(`,${eol}`)}${eol}${indent}}`;
    updated = `${before}${before.endsWith('{') ? '' : ','}${eol}${block}${eol}${text.slice(close)}`;
  }
  JSON.parse(updated);
  fs.writeFileSync(file, updated);
  return true;
}

function sortKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}
