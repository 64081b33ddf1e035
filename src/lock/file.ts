/**
 * The base-image lock file (`msb.lock.json` at the project root): for each base image reference as
 * synthesis resolves it (a tag), the digest the registry served for it and when that digest was
 * resolved. `create-msb-app lock` writes it; synthesis reads it (src/lock/pins.ts) and pins every
 * `FROM` line. JSON with sorted keys, so a change of pins is a small, reviewable diff.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BASE_IMAGE_LOCK_FILE } from '../contract/record';
import { JsonFileError, describe, readJsonFile } from '../util/json';
import { type ValidationProblem, formatProblem, isImageReference, isMsbError, markMsbError, userError } from '../validation';

/** Version of the file's format. */
export const LOCK_FORMAT_VERSION = 1;

/** Media types a lock entry may pin: the multi-arch index (manifest list) or a single manifest. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

/** What the lock records about one base image reference. */
export interface LockEntry {
  /** `sha256:<64 hex>` of the manifest (or index) the registry served for the reference. */
  readonly digest: string;
  /** Its media type: an index (multi-arch) or a single manifest. */
  readonly mediaType: string;
  /** When this digest was resolved (ISO 8601, UTC); an update that finds the same digest keeps it. */
  readonly resolvedAt: string;
}

/** Lock entries by image reference (a tag reference, e.g. `docker.io/library/node:26-trixie`). */
export type LockEntries = ReadonlyMap<string, LockEntry>;

const LOCK_ERROR = Symbol.for('create-msb-app.base-image-lock-error');

/** The lock file cannot be used as it is; synthesis stops before writing anything. */
export class BaseImageLockError extends Error {
  /** Recognises a BaseImageLockError from any copy of this package (the lock's modules are loaded lazily). */
  static [Symbol.hasInstance](x: unknown): boolean {
    return isMsbError(x) && (x as unknown as Record<symbol, unknown>)[LOCK_ERROR] === true;
  }

  constructor(public readonly problems: readonly ValidationProblem[]) {
    super(
      `${BASE_IMAGE_LOCK_FILE} cannot be used; no file was changed:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n') +
        `\nRestore it (git checkout ${BASE_IMAGE_LOCK_FILE}), or delete it and run "create-msb-app lock" to resolve the base images again.`,
    );
    this.name = 'BaseImageLockError';
    Object.defineProperty(this, LOCK_ERROR, { value: true, enumerable: false });
    markMsbError(userError(this));
  }
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const ENTRY_FIELDS: Record<keyof LockEntry, { valid: (v: unknown) => boolean; expected: string }> = {
  digest: { valid: (v) => typeof v === 'string' && DIGEST.test(v), expected: '"sha256:" and 64 lower-case hex digits' },
  mediaType: { valid: (v) => (MANIFEST_MEDIA_TYPES as readonly unknown[]).includes(v), expected: `one of ${MANIFEST_MEDIA_TYPES.join(', ')}` },
  resolvedAt: { valid: (v) => typeof v === 'string' && ISO_UTC.test(v) && !Number.isNaN(Date.parse(v)), expected: 'an ISO 8601 time in UTC, e.g. "2026-01-31T12:00:00.000Z"' },
};
const COMMENT = 'Base images pinned by digest: written by "create-msb-app lock" (refresh: "create-msb-app lock --update"); synthesis pins every FROM line to these digests.';

/** Reads the lock of the project in `dir`: undefined when it has none; a {@link BaseImageLockError} when it is invalid. */
export function readLockFile(dir: string): LockEntries | undefined {
  const file = path.join(dir, BASE_IMAGE_LOCK_FILE);
  if (!fs.existsSync(file)) return undefined;
  let value: Record<string, unknown>;
  try {
    value = readJsonFile(file, BASE_IMAGE_LOCK_FILE);
  } catch (e) {
    if (e instanceof JsonFileError) throw new BaseImageLockError([{ path: BASE_IMAGE_LOCK_FILE, field: '(the whole file)', value: undefined, expected: `a JSON object (${e.message})` }]);
    throw e;
  }
  return parseLock(value);
}

/** The entries of a parsed lock file, or a {@link BaseImageLockError} listing every problem. */
export function parseLock(value: Record<string, unknown>): LockEntries {
  const problems: ValidationProblem[] = [];
  const add = (field: string, v: unknown, expected: string) => problems.push({ path: BASE_IMAGE_LOCK_FILE, field, value: v, expected });
  const entries = new Map<string, LockEntry>();
  for (const key of Object.keys(value)) {
    if (!['//', 'images', 'lockVersion'].includes(key)) add(key, value[key], 'no such field: the file holds "//", "images" and "lockVersion"');
  }
  if (value.lockVersion !== LOCK_FORMAT_VERSION) {
    add('lockVersion', value.lockVersion, `${LOCK_FORMAT_VERSION} (this create-msb-app's format)`);
  }
  const images = value.images;
  if (describe(images) !== 'object') {
    add('images', images, 'an object of image references');
  } else {
    for (const [ref, entry] of Object.entries(images as Record<string, unknown>)) {
      const at = `images[${JSON.stringify(ref)}]`;
      if (!isImageReference(ref) || ref.includes('@')) {
        add(at, ref, 'an image reference with a tag and no digest, as synthesis resolves it');
        continue;
      }
      if (describe(entry) !== 'object') {
        add(at, entry, 'an object with digest, mediaType and resolvedAt');
        continue;
      }
      const e = entry as Record<string, unknown>;
      const before = problems.length;
      for (const k of Object.keys(e)) if (!Object.prototype.hasOwnProperty.call(ENTRY_FIELDS, k)) add(`${at}.${k}`, e[k], 'no such field: an entry holds digest, mediaType and resolvedAt');
      for (const [k, rule] of Object.entries(ENTRY_FIELDS)) if (!rule.valid(e[k])) add(`${at}.${k}`, e[k], rule.expected);
      if (problems.length > before) continue;
      entries.set(ref, { digest: e.digest as string, mediaType: e.mediaType as string, resolvedAt: e.resolvedAt as string });
    }
  }
  if (problems.length > 0) throw new BaseImageLockError(problems);
  return entries;
}

/** The file's text: sorted keys at every level, two-space indent, a final newline. */
export function renderLockFile(entries: LockEntries): string {
  const images = Object.fromEntries([...entries.keys()].sort().map((ref) => {
    const e = entries.get(ref)!;
    return [ref, { digest: e.digest, mediaType: e.mediaType, resolvedAt: e.resolvedAt }];
  }));
  return `${JSON.stringify({ '//': COMMENT, 'images': images, 'lockVersion': LOCK_FORMAT_VERSION }, null, 2)}\n`;
}
