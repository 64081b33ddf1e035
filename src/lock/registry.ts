/**
 * Resolves an image tag to the digest its registry serves, through the registry HTTP API (the
 * OCI distribution spec) with Node's fetch: `GET /v2/<repository>/manifests/<tag>` accepting the
 * index (manifest list) and manifest media types, so a multi-arch tag resolves to its index. The
 * digest is the sha256 of the bytes served, checked against `Docker-Content-Digest`.
 *
 * Authentication as the public registries do it: a 401 with `WWW-Authenticate: Bearer realm=...,
 * service=...,scope=...` sends the client to the realm for a token (anonymously, or with the
 * credentials of the auth files, src/lock/auth.ts), and the request is retried with
 * `Authorization: Bearer <token>`; a `Basic` challenge gets the credentials directly.
 *
 * Plain http only for loopback hosts (127.0.0.1, ::1, localhost), https otherwise; every request
 * has a time limit. Each failure is a named error saying what happened, to which image, and what
 * to do.
 */
import { createHash } from 'node:crypto';
import { type Credentials, findCredentials } from './auth';
import { MANIFEST_MEDIA_TYPES } from './file';
import { type ImageReference, isLoopback, parseImageReference } from './reference';
import { markMsbError, userError } from '../validation';

/** Largest manifest accepted (the OCI distribution spec lets registries refuse larger ones). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const AUTH_FILES_HINT = '$REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json or ~/.docker/config.json';

/** What a tag resolves to. */
export interface ResolvedImage {
  /** `sha256:<64 hex>` of the manifest or index served for the tag. */
  readonly digest: string;
  /** Its media type (an index for a multi-arch image). */
  readonly mediaType: string;
}

/** Base of the registry errors: the image, what happened and what to do. */
export class RegistryError extends Error {
  constructor(
    /** A few words naming what happened, e.g. `registry unreachable`. */
    readonly kind: string,
    /** The image reference being resolved. */
    readonly ref: string,
    readonly detail: string,
    readonly advice: string,
  ) {
    super(`${kind}: ${detail}. ${advice}`);
    markMsbError(userError(this));
  }
}

/** The registry did not answer (connection refused, name not found, TLS, time limit) or answered 5xx/429. */
export class RegistryUnreachableError extends RegistryError {
  constructor(ref: string, detail: string) {
    super('registry unreachable', ref, detail, 'Check that the registry is up and that the image names the right host (baseImages.mirror replaces the registry host), then run the command again');
    this.name = 'RegistryUnreachableError';
  }
}

/** The registry has no such tag or repository (404). */
export class ImageNotFoundError extends RegistryError {
  constructor(ref: string, detail: string) {
    super('image not found', ref, detail, 'Check the image and its tag (runtime.version, baseImages.*), or push the image to the registry (a mirror must hold every base image the Dockerfiles name)');
    this.name = 'ImageNotFoundError';
  }
}

/** The registry or its token endpoint refused access (401/403), anonymously or with the credentials found. */
export class RegistryAuthError extends RegistryError {
  constructor(ref: string, detail: string, registry: string) {
    super('access refused', ref, detail, `Log in with "podman login ${registry}" or "docker login ${registry}" (credentials are read from ${AUTH_FILES_HINT}), or check that the account may pull this repository`);
    this.name = 'RegistryAuthError';
  }
}

/** The registry answered, but not with a manifest that can be pinned (digest mismatch, media type, size, status). */
export class RegistryResponseError extends RegistryError {
  constructor(ref: string, detail: string) {
    super('unexpected registry response', ref, detail, 'The lock pins only what the registry serves verifiably; check the registry (or mirror) and run the command again');
    this.name = 'RegistryResponseError';
  }
}

/** Options of {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** Time limit of each request, in milliseconds. */
  readonly timeoutMs: number;
  /** Where the auth files are looked up. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Aborts every request (Ctrl-C); the abort reason is thrown as it is. */
  readonly signal?: AbortSignal;
}

/** A `WWW-Authenticate` challenge: its scheme (lower case) and parameters. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (quoted or bare values). */
export function parseChallenge(header: string | null): Challenge | undefined {
  const m = header ? /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header) : null;
  if (!m) return undefined;
  const params: Record<string, string> = Object.create(null);
  for (const p of m[2].matchAll(/([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** Resolves tags to digests; reuses a token for every image of the same repository scope. */
export class RegistryClient {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(private readonly options: RegistryClientOptions) {}

  /** The digest the registry serves for `ref` (a tag reference). */
  async resolve(ref: string): Promise<ResolvedImage> {
    const image = parseImageReference(ref);
    const url = `${image.apiBase}/v2/${image.repository}/manifests/${encodeURIComponent(image.tag)}`;
    const creds = findCredentials(image.registry, image.repository, this.options.env ?? process.env);
    let res = await this.fetch(ref, url, {});
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await res.body?.cancel();
      const authorization = await this.authorize(image, challenge, creds);
      res = await this.fetch(ref, url, { authorization });
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw new RegistryAuthError(ref, `${image.registry} answered ${res.status} to ${who(creds)} for ${image.repository}`, image.registry);
      }
    }
    return this.manifest(image, res, creds);
  }

  /** The digest and media type of a manifest response, the body's sha256 checked against the registry's header. */
  private async manifest(image: ImageReference, res: Response, creds: Credentials | undefined): Promise<ResolvedImage> {
    const { ref } = image;
    if (res.status !== 200) {
      const text = await this.text(ref, res);
      const code = errorCode(text);
      const answered = `${image.registry} answered ${res.status}${code ? ` ${code}` : ''}`;
      if (res.status === 404) throw new ImageNotFoundError(ref, `${answered}: no tag "${image.tag}" in ${image.repository}`);
      if (res.status === 401 || res.status === 403) throw new RegistryAuthError(ref, `${answered} to ${who(creds)} for ${image.repository}`, image.registry);
      if (res.status >= 500 || res.status === 429) throw new RegistryUnreachableError(ref, `${answered} for ${image.repository}:${image.tag}`);
      throw new RegistryResponseError(ref, `${answered} for ${image.repository}:${image.tag}`);
    }
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    if (!(MANIFEST_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
      await res.body?.cancel();
      throw new RegistryResponseError(ref, `${image.registry} served ${mediaType ? `a "${mediaType}"` : 'no media type'} for ${image.repository}:${image.tag}; expected one of ${MANIFEST_MEDIA_TYPES.join(', ')}`);
    }
    const body = await this.bytes(ref, res);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const claimed = res.headers.get('docker-content-digest');
    if (claimed && claimed !== digest) {
      throw new RegistryResponseError(ref, `${image.registry} says the manifest of ${image.repository}:${image.tag} is ${claimed} (Docker-Content-Digest), but the bytes it served hash to ${digest}`);
    }
    return { digest, mediaType };
  }

  /** The Authorization header a challenge asks for: a token from its realm (Bearer), or the credentials (Basic). */
  private async authorize(image: ImageReference, challenge: Challenge | undefined, creds: Credentials | undefined): Promise<string> {
    const { ref, registry } = image;
    if (challenge?.scheme === 'basic') {
      if (!creds) throw new RegistryAuthError(ref, `${registry} asks for a login (Basic) and no auth file has credentials for it`, registry);
      return basic(creds);
    }
    const realm = challenge?.scheme === 'bearer' ? challenge.params.realm : undefined;
    if (!realm) throw new RegistryAuthError(ref, `${registry} answered 401 without a Bearer or Basic challenge (WWW-Authenticate: ${JSON.stringify(challenge ? `${challenge.scheme} ...` : null)})`, registry);
    const scope = challenge!.params.scope ?? `repository:${image.repository}:pull`;
    const key = JSON.stringify([realm, challenge!.params.service, scope, creds?.username]);
    let token = this.tokens.get(key);
    if (!token) {
      token = this.token(image, realm, challenge!.params.service, scope, creds);
      this.tokens.set(key, token);
      token.catch(() => this.tokens.delete(key));
    }
    return `Bearer ${await token}`;
  }

  /** GETs a token from the realm (anonymously, or with Basic credentials). */
  private async token(
    image: ImageReference, realm: string, service: string | undefined, scope: string, creds: Credentials | undefined,
  ): Promise<string> {
    const { ref, registry } = image;
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryResponseError(ref, `${registry} names a token endpoint that is not a URL: ${JSON.stringify(realm)}`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.host))) {
      throw new RegistryAuthError(ref, `${registry} sends the client for a token to ${url.origin}, which is not https (only loopback hosts may use plain http)`, registry);
    }
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const res = await this.fetch(ref, url.toString(), creds ? { authorization: basic(creds) } : {});
    const text = await this.text(ref, res);
    if (res.status === 401 || res.status === 403) {
      throw new RegistryAuthError(ref, `the token endpoint ${url.origin}${url.pathname} answered ${res.status} to ${who(creds)} for ${scope}`, registry);
    }
    if (res.status >= 500 || res.status === 429) throw new RegistryUnreachableError(ref, `the token endpoint ${url.origin}${url.pathname} answered ${res.status}`);
    let token: unknown;
    try {
      const json = JSON.parse(text) as { token?: unknown; access_token?: unknown };
      token = json.token ?? json.access_token;
    } catch {
      // reported below
    }
    if (res.status !== 200 || typeof token !== 'string' || token === '') {
      throw new RegistryResponseError(ref, `the token endpoint ${url.origin}${url.pathname} answered ${res.status} without a token`);
    }
    return token;
  }

  /** One request with the time limit; a network failure or the time limit is a {@link RegistryUnreachableError}. */
  private async fetch(ref: string, url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, { headers: { accept: MANIFEST_MEDIA_TYPES.join(', '), ...headers }, signal: this.signal() });
    } catch (e) {
      throw this.networkError(ref, url, e);
    }
  }

  private async bytes(ref: string, res: Response): Promise<Buffer> {
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (length > MAX_MANIFEST_BYTES) {
      await res.body?.cancel();
      throw new RegistryResponseError(ref, `the manifest is ${length} bytes (at most ${MAX_MANIFEST_BYTES} are accepted)`);
    }
    let body: Buffer;
    try {
      body = Buffer.from(await res.arrayBuffer());
    } catch (e) {
      throw this.networkError(ref, res.url, e);
    }
    if (body.length > MAX_MANIFEST_BYTES) throw new RegistryResponseError(ref, `the manifest is ${body.length} bytes (at most ${MAX_MANIFEST_BYTES} are accepted)`);
    return body;
  }

  private async text(ref: string, res: Response): Promise<string> {
    return (await this.bytes(ref, res)).toString('utf8');
  }

  private signal(): AbortSignal {
    const limit = AbortSignal.timeout(this.options.timeoutMs);
    return this.options.signal ? AbortSignal.any([limit, this.options.signal]) : limit;
  }

  private networkError(ref: string, url: string, e: unknown): unknown {
    if (this.options.signal?.aborted) return this.options.signal.reason;
    const origin = safeOrigin(url);
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err?.name === 'TimeoutError') return new RegistryUnreachableError(ref, `${origin} did not answer within ${this.options.timeoutMs / 1000} s`);
    const cause = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
    return new RegistryUnreachableError(ref, `cannot reach ${origin} (${cause})`);
  }
}

function basic(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

function who(creds: Credentials | undefined): string {
  return creds ? `the credentials of "${creds.username}" from ${creds.file}` : `an anonymous request (no credentials for it in ${AUTH_FILES_HINT})`;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** The first error code of a registry error body (`{"errors":[{"code":"MANIFEST_UNKNOWN",...}]}`). */
function errorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { errors?: { code?: unknown }[] }).errors?.[0]?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
