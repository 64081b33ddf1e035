/**
 * An image reference as the registry HTTP API reads it: which host serves it, over which scheme,
 * the repository path and the tag. Names are read the way Docker reads them: a first part with a
 * "." or ":" (or `localhost`) is the registry, anything else is on Docker Hub, whose one-part
 * names live under `library/`.
 */

/** Docker Hub as references name it, and the host its registry API is at. */
const DOCKER_HUB = { name: 'docker.io', aliases: ['index.docker.io', 'registry-1.docker.io'], api: 'registry-1.docker.io' } as const;

/** A parsed reference. */
export interface ImageReference {
  /** The reference as written. */
  readonly ref: string;
  /** The registry as references (and auth files) name it, e.g. `docker.io`, `127.0.0.1:5000`. */
  readonly registry: string;
  /** Base URL of the registry API: `http://` for a loopback host only, `https://` otherwise. */
  readonly apiBase: string;
  /** Repository path, e.g. `library/node`, `distroless/nodejs26-debian13`. */
  readonly repository: string;
  /** The tag (`latest` when the reference names none). */
  readonly tag: string;
}

/** Parses a tag reference (`[registry/]path[:tag]`); a reference with a digest has nothing to resolve. */
export function parseImageReference(ref: string): ImageReference {
  if (ref.includes('@')) throw new Error(`${ref} is pinned by digest already`);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? ref.slice(0, colon) : ref;
  const tag = hasTag ? ref.slice(colon + 1) : 'latest';
  const parts = name.split('/');
  const first = parts[0];
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasHost ? first : DOCKER_HUB.name;
  if ((DOCKER_HUB.aliases as readonly string[]).includes(registry)) registry = DOCKER_HUB.name;
  let repository = (hasHost ? parts.slice(1) : parts).join('/');
  if (registry === DOCKER_HUB.name && !repository.includes('/')) repository = `library/${repository}`;
  const host = registry === DOCKER_HUB.name ? DOCKER_HUB.api : registry;
  return { ref, registry, apiBase: `${isLoopback(host) ? 'http' : 'https'}://${host}`, repository, tag };
}

/** Normalizes a registry name as auth files write it (`https://index.docker.io/v1/` -> `docker.io`). */
export function normalizeRegistryName(key: string): string {
  const bare = key.replace(/^[a-z]+:\/\//i, '').replace(/\/v[12]\/?$/, '').replace(/\/+$/, '');
  const [host, ...rest] = bare.split('/');
  const name = (DOCKER_HUB.aliases as readonly string[]).includes(host) ? DOCKER_HUB.name : host;
  return [name, ...rest].join('/');
}

/** Whether a host (with an optional port) is the loopback interface: the only place plain http is used. */
export function isLoopback(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}
