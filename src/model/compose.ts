/**
 * The `compose` prop (the local dev loop): resolved into the model once, validated with the model.
 * What is judged on the rendered outputs (the Dockerfile's secrets, the host ports and file names of
 * several Apps, a compose file of the user's) is checked by the compose file itself (compose-file.ts).
 */
import type { AppProps, ComposeOptions } from '../contract/app-props';
import { DEFAULTS } from '../contract/defaults';
import type { ComposeSettings } from '../contract/model';
import * as v from '../validation';

/**
 * Files compose tools read without `-f`: Docker Compose the first of `compose.yaml`, `compose.yml`,
 * `docker-compose.yaml`, `docker-compose.yml` (plus its override); podman-compose merges every one
 * that exists, `podman-compose.y(a)ml` and `container-compose.y(a)ml` too. A user's file under one
 * of these names is never replaced, and never shadowed by (or merged with) the generated one.
 */
export const COMPOSE_DEFAULT_FILES = [
  'compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml',
  'podman-compose.yaml', 'podman-compose.yml', 'container-compose.yaml', 'container-compose.yml',
] as const;

const FILE_RULE = 'a file name at the project root ending in .yaml or .yml, of letters, digits, ".", "_" and "-", not an override file (*.override.yaml: compose merges it into the user\'s own file)';
const SECRET_ID_RULE = 'a build secret id of letters, digits, "_", "." and "-" (one the Dockerfile mounts, e.g. "ca_cert")';

/** The resolved `compose` prop, or `undefined` when off. Never throws: bad values are reported by {@link validateCompose}. */
export function composeSettings(props: AppProps, port: number): ComposeSettings | undefined {
  const c = props.compose;
  if (c === undefined || c === false) return undefined;
  const o: ComposeOptions = typeof c === 'object' && c !== null ? c : {};
  return {
    file: typeof o.file === 'string' ? o.file : DEFAULTS.compose.file,
    hostPort: o.hostPort ?? port,
    buildSecrets: Array.isArray(o.buildSecrets) ? o.buildSecrets.map(String) : [],
  };
}

/** Problems of the `compose` prop. */
export function validateCompose(props: AppProps, p: v.Problems): void {
  const c = props.compose;
  if (c === undefined || typeof c === 'boolean') return;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) {
    p.add('compose', c, 'true, false or { hostPort?, buildSecrets?, file? }');
    return;
  }
  if (c.hostPort !== undefined) p.check(v.isPort(c.hostPort), 'compose.hostPort', c.hostPort, v.PORT_RULE);
  if (c.file !== undefined) p.check(isComposeFileName(c.file), 'compose.file', c.file, FILE_RULE);
  if (c.buildSecrets === undefined) return;
  if (!Array.isArray(c.buildSecrets)) {
    p.add('compose.buildSecrets', c.buildSecrets, `a list, each ${SECRET_ID_RULE}`);
    return;
  }
  for (const [i, id] of c.buildSecrets.entries()) p.check(typeof id === 'string' && /^[A-Za-z0-9_.-]+$/.test(id), `compose.buildSecrets[${i}]`, id, SECRET_ID_RULE);
}

function isComposeFileName(x: unknown): x is string {
  return typeof x === 'string' && /^[A-Za-z0-9_][A-Za-z0-9._-]*\.ya?ml$/.test(x) && !/\.override\.ya?ml$/.test(x);
}

/** The environment variable that names the file of a build secret: `ca_cert` -> `CA_CERT_FILE`. */
export function secretFileVariable(id: string): string {
  return `${id.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}_FILE`;
}
