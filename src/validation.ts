/**
 * Validation that names the construct path, the field, the value and what would be valid, and
 * reports every problem at once.
 */

/** One problem found in a definition. */
export interface ValidationProblem {
  /** Construct path of the object that holds the bad value, e.g. `orders-api/App`. */
  readonly path: string;
  /** Property path, e.g. `kubernetes.replicas`. */
  readonly field: string;
  /** The offending value (as given). */
  readonly value: unknown;
  /** What would be valid. */
  readonly expected: string;
}

/** The mark of this library's errors: recognised across copies of the package, without comparing `name` strings. */
export const MSB_ERROR = Symbol.for('create-msb-app.error');

/** Marks an error as one of this library's (a user error: its message says what to do). */
export function markMsbError<T extends Error>(e: T): T {
  Object.defineProperty(e, MSB_ERROR, { value: true, enumerable: false });
  return e;
}

/** Whether `e` is an error of this library (any copy of it): its message is meant for users. */
export function isMsbError(e: unknown): e is Error {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MSB_ERROR] === true;
}

/**
 * Thrown when a definition has one or more problems; nothing has been written when it is thrown.
 * One type for every problem: the model's, and those of the rendered outputs (schema, Pod Security,
 * Dockerfile policy, .dockerignore).
 */
export class MsbValidationError extends Error {
  /** Recognises an MsbValidationError from any copy of this package. */
  static [Symbol.hasInstance](x: unknown): boolean {
    return isMsbError(x) && Array.isArray((x as { problems?: unknown }).problems);
  }

  constructor(public readonly problems: readonly ValidationProblem[]) {
    super(
      `The definition has ${problems.length} problem${problems.length === 1 ? '' : 's'}; no file was changed:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'MsbValidationError';
    markMsbError(this);
  }
}

/** Errors meant for users print their message only, not a stack trace. */
export function userError<T extends Error>(e: T): T {
  e.stack = `${e.name}: ${e.message}`;
  return e;
}

/** `[path] field: got <value>; expected <what>` */
export function formatProblem(p: ValidationProblem): string {
  return `[${p.path}] ${p.field}: got ${showValue(p.value)}; expected ${p.expected}`;
}

function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Collects problems for one construct path. */
export class Problems {
  private readonly list: ValidationProblem[] = [];

  constructor(private readonly path: string) {}

  add(field: string, value: unknown, expected: string): void {
    this.list.push({ path: this.path, field, value, expected });
  }

  /** Adds a problem unless `ok`. */
  check(ok: boolean, field: string, value: unknown, expected: string): void {
    if (!ok) this.add(field, value, expected);
  }

  get all(): readonly ValidationProblem[] {
    return this.list;
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A DNS-1123 label: what Kubernetes wants for names of Services and most objects. */
export function isDnsLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS1123_LABEL.test(value);
}

/** A project name made from a directory or package name: `@acme/Orders_API` -> `orders-api`. */
export function toAppName(text: string): string {
  return text
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}
export const DNS_LABEL_RULE = 'a DNS-1123 label: at most 63 characters, lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "orders-api")';

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}
export const PORT_RULE = 'an integer from 1 to 65535';

export function isEnvName(value: unknown): value is string {
  return typeof value === 'string' && ENV_NAME.test(value);
}
export const ENV_NAME_RULE = 'a letter or "_" followed by letters, digits or "_" (e.g. "LOG_LEVEL")';

/**
 * The longest value (UTF-8 bytes) written into one Dockerfile line: 16 KiB. Buildah 1.28 reads at
 * most 64 KiB per line (Go's `bufio.MaxScanTokenSize`) and silently ignores the rest of the file;
 * quoting can double a value (`"` and `\` are escaped), so a value of 16 KiB keeps a whole
 * instruction well under that limit.
 */
export const MAX_VALUE_BYTES = 16 * 1024;

/**
 * Why a value cannot be written on one Dockerfile line, or undefined when it can: a line break or a
 * control character (tab is allowed), a trailing `\` or `` ` `` (an escape character at the end of a
 * line joins the next line: the next instruction would become part of this one), or more than
 * {@link MAX_VALUE_BYTES} bytes.
 */
export function lineSafetyProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'it contains a line break and would start a new Dockerfile instruction';
  // eslint-disable-next-line no-control-regex
  const ctl = /[\u0000-\u0008\u000b-\u001f\u007f]/.exec(value);
  if (ctl) return `it contains the control character U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0')} (only tab is allowed)`;
  if (/[\\`][ \t]*$/.test(value)) return 'it ends in an escape character (\\ or `), which would join the next Dockerfile line to this one';
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_VALUE_BYTES) return `it is ${bytes} bytes long; at most ${MAX_VALUE_BYTES} bytes (Buildah silently stops reading a Dockerfile at a line over 64 KiB)`;
  return undefined;
}

/** A value that stays on one Dockerfile line (see {@link lineSafetyProblem}). */
export function isSingleLine(value: unknown): value is string {
  return typeof value === 'string' && lineSafetyProblem(value) === undefined;
}
export const SINGLE_LINE_RULE = `a single line of at most ${MAX_VALUE_BYTES / 1024} KiB: no newline or control character other than tab (it would start a new Dockerfile instruction), not ending in \\ or \` (it would join the next line)`;

/** Characters a path may hold: they need no quoting in a Dockerfile (no spaces, globs, `$` or quotes). */
const SAFE_PATH = /^[A-Za-z0-9._@+\-/]+$/;

/** A relative POSIX path inside the project (no `..`, not absolute, not `.`), of safe characters. */
export function isRelativePath(value: unknown): value is string {
  if (typeof value !== 'string' || !SAFE_PATH.test(value)) return false;
  if (value.startsWith('/')) return false;
  const parts = value.split('/');
  return !parts.some((part) => part === '..' || part === '') && parts.some((part) => part !== '.');
}
export const RELATIVE_PATH_RULE = 'a relative path inside the project such as "dist/index.js": letters, digits and . _ @ + - /, no leading "/", no ".." and no spaces, globs or "$"';

/** An absolute path in the image, of safe characters. */
export function isAbsoluteImagePath(value: unknown): value is string {
  return typeof value === 'string' && SAFE_PATH.test(value) && value.startsWith('/') && !value.split('/').includes('..');
}

/** `./a/b/` -> `a/b` (how paths are written in the outputs). */
export function normalizePath(p: string): string {
  return p.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** An HTTP path for probes and ingress. */
export function isHttpPath(value: unknown): value is string {
  return typeof value === 'string' && /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/.test(value);
}
export const HTTP_PATH_RULE = 'an absolute URL path such as "/healthz"';

/** An image reference without tag or digest: `registry/path/name`. */
export function isImageRepository(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const parts = value.split('/');
  // As Docker reads it: the first part is a registry host only if it has "." or ":" or is localhost.
  const first = parts[0];
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasHost && !/^[a-zA-Z0-9.-]+(?::[0-9]+)?$/.test(first)) return false;
  const repoPath = hasHost ? parts.slice(1) : parts;
  return repoPath.length > 0 && repoPath.every((p) => /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(p));
}
export const IMAGE_REPOSITORY_RULE = 'an image repository without tag, such as "registry.example.com/team/orders-api"';

/** A full image reference: repository plus `:tag` and/or `@sha256:...`. */
export function isImageReference(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = /^(.+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(value);
  return !!m && isImageRepository(m[1]) && (m[2] !== undefined || m[3] !== undefined);
}
export const IMAGE_REFERENCE_RULE = 'an image reference with a tag and/or digest, such as "mirror.example.com/node:24-trixie" or "...@sha256:<64 hex>"';

export function isImageTag(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(value);
}
export const IMAGE_TAG_RULE = 'an image tag: letters, digits, "_", "." and "-", at most 128 characters, not starting with "." or "-"';

/** Kubernetes resource quantity, e.g. `100m`, `128Mi`. */
export function isQuantity(value: unknown): value is string {
  return typeof value === 'string' && /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e[0-9]+)?$/.test(value);
}
export const QUANTITY_RULE = 'a Kubernetes quantity such as "100m", "0.5", "128Mi" or "1Gi"';

/** A DNS-1123 subdomain: names of Secrets, PriorityClasses, IngressClasses. */
export function isDnsSubdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value);
}
export const DNS_SUBDOMAIN_RULE = 'a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", at most 253 characters';

/** A label or annotation key: an optional DNS subdomain prefix and "/", then a name of at most 63 characters. */
export function isQualifiedName(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const slash = value.lastIndexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return false;
  return name.length >= 1 && name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}
export const QUALIFIED_NAME_RULE = 'a key such as "team" or "example.com/team": an optional DNS subdomain and "/", then up to 63 letters, digits, "-", "_" or "." starting and ending with a letter or digit';

/** A label value: empty, or up to 63 letters, digits, "-", "_", "." starting and ending alphanumeric. */
export function isLabelValue(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value);
}
export const LABEL_VALUE_RULE = 'a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
