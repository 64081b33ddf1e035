/**
 * Registry credentials from the auth files docker and podman write (`docker login`, `podman login`),
 * read in the order podman reads them: `$REGISTRY_AUTH_FILE`, `${XDG_RUNTIME_DIR}/containers/auth.json`,
 * then docker's `config.json` (`$DOCKER_CONFIG`, else `~/.docker`). The first file with an entry for
 * the registry wins; within a file, an entry for `registry/namespace` wins over one for the registry.
 * Only `auth` (base64 `user:password`) and `username`/`password` entries are read: credential
 * helpers (`credsStore`, `credHelpers`) are not called.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeRegistryName } from './reference';
import { readJsonFile } from '../util/json';
import { isPlainObject } from '../util/safe-object';

/** Credentials for one registry and the file they came from. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** The auth file, for messages. */
  readonly file: string;
}

/** The auth files that exist, in the order they are searched. */
export function authFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates = [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : undefined,
    path.join(env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker'), 'config.json'),
  ];
  return candidates.filter((f): f is string => !!f && fs.existsSync(f));
}

/**
 * Credentials for `repository` on `registry` (as references name it, e.g. `docker.io`), or
 * undefined. A file that is not JSON is a named error (it names the file).
 */
export function findCredentials(registry: string, repository: string, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  // most specific first: registry/a/b, registry/a, registry
  const parts = repository.split('/');
  const keys = parts.map((_, i) => [registry, ...parts.slice(0, parts.length - i)].join('/')).concat(registry);
  for (const file of authFiles(env)) {
    const auths = readJsonFile<{ auths?: unknown }>(file, `registry auth file ${file}`).auths;
    if (!isPlainObject(auths)) continue;
    const byName = new Map<string, unknown>();
    for (const [k, v] of Object.entries(auths)) byName.set(normalizeRegistryName(k), v);
    for (const key of keys) {
      const creds = decode(byName.get(key));
      if (creds) return { ...creds, file };
    }
  }
  return undefined;
}

function decode(entry: unknown): { username: string; password: string } | undefined {
  if (!isPlainObject(entry)) return undefined;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i > 0) return { username: text.slice(0, i), password: text.slice(i + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string') return { username: entry.username, password: entry.password };
  return undefined;
}
