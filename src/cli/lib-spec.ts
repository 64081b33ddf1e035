/**
 * `file:` specs given on the command line (`--lib file:...`, `--template name@file:...`): a relative
 * path is read from the directory the user typed it in; it is written relative to the project when
 * it lies inside it. A `--lib` outside the project is copied into `vendor/` (a folder is packed with
 * `npm pack`), so that the image build, whose context is the project, can install it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError } from './errors';
import { exec } from '../util/exec';

/** Where a `file:` path lies, resolved from `cwd`. */
export interface FileSpec {
  /** Absolute path. */
  readonly abs: string;
  /** The spec as written into the project: relative to it when inside, else absolute. */
  readonly spec: string;
  readonly inside: boolean;
}

/** Resolves the path of a `file:` spec from `cwd` and writes it relative to `projectDir` when inside. */
export function resolveFileSpec(spec: string, cwd: string, projectDir: string): FileSpec {
  const abs = path.resolve(cwd, spec.slice('file:'.length));
  const rel = path.relative(projectDir, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  return { abs, inside, spec: inside ? `file:${rel.split(path.sep).join('/')}` : `file:${abs}` };
}

/** Validates `--lib`: a non-empty npm spec; a `file:` spec must point at something that exists. */
export function checkLib(spec: string, cwd: string, projectDir: string): string {
  const s = spec.trim();
  if (s === '' || /\s/.test(s)) throw new CliError(`Invalid --lib ${JSON.stringify(spec)}: expected an npm spec such as "0.3.0", "^0.3.0", "file:../create-msb-app" or "file:./create-msb-app-0.3.0.tgz".`);
  if (!s.startsWith('file:')) return s;
  const f = resolveFileSpec(s, cwd, projectDir);
  if (!fs.existsSync(f.abs)) throw new CliError(`Invalid --lib ${JSON.stringify(spec)}: ${f.abs} does not exist. Expected a file: path to a create-msb-app checkout or tarball.`);
  return f.spec;
}

/** The folder vendored packages are copied to, relative to the project. */
export const VENDOR_FOLDER = 'vendor';

const packed = new Map<string, string>();

/**
 * A `file:` lib outside the project becomes a tarball under `vendor/` (a folder is packed, a
 * tarball copied); returns the spec to write and the file made (relative to the project).
 * Any other spec is returned unchanged.
 */
export async function vendorLib(
  lib: string,
  projectDir: string,
  options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {},
): Promise<{ lib: string; written?: string }> {
  if (!lib.startsWith('file:')) return { lib };
  const abs = lib.slice('file:'.length);
  if (!path.isAbsolute(abs)) return { lib };
  let tarball: string;
  if (fs.statSync(abs).isDirectory()) {
    tarball = packed.get(abs) ?? await pack(abs, options);
    packed.set(abs, tarball);
  } else {
    tarball = abs;
  }
  const rel = `${VENDOR_FOLDER}/${path.basename(tarball)}`;
  const dest = path.join(projectDir, rel);
  // A file of the user's is never replaced: the same bytes are reused, other bytes are an error.
  if (fs.existsSync(dest)) {
    if (fs.readFileSync(dest).equals(fs.readFileSync(tarball))) return { lib: `file:${rel}` };
    throw new CliError(`${dest} already exists and differs from ${tarball}, which would be copied there. Move it away, or pass --lib file:${rel} to use it.`);
  }
  fs.mkdirSync(path.join(projectDir, VENDOR_FOLDER), { recursive: true });
  fs.copyFileSync(tarball, dest, fs.constants.COPYFILE_EXCL);
  return { lib: `file:${rel}`, written: rel };
}

/** `npm pack` of a folder (as it is: no lifecycle scripts) into a temporary folder; returns the tarball. */
async function pack(folder: string, options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<string> {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-vendor-'));
  process.once('exit', () => fs.rmSync(dest, { recursive: true, force: true }));
  const { stdout } = await exec('npm', ['pack', folder, '--pack-destination', dest, '--ignore-scripts', '--json', '--silent'], {
    cwd: dest,
    signal: options.signal,
    env: { ...(options.env ?? process.env), npm_config_update_notifier: 'false' },
    purpose: `pack ${folder} into the project's ${VENDOR_FOLDER}/ folder`,
  });
  const name = (JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string }[])[0].filename.replace(/^@/, '').replace(/\//g, '-');
  return path.join(dest, name);
}
