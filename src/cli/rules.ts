/**
 * What a valid answer is, for flags and prompts alike. Each check returns the normalised value or
 * throws a {@link CliError} naming the flag, the value and what is valid. The rules themselves come
 * from the library, so the command and `.projenrc.ts` never disagree.
 */
import {
  DNS_LABEL_RULE,
  HTTP_PATH_RULE,
  IMAGE_REPOSITORY_RULE,
  IMAGE_TAG_RULE,
  PORT_RULE,
  PackageManagerName,
  isDnsLabel,
  isHttpPath,
  isImageRepository,
  isImageTag,
  isPort,
  nodeVersions,
  packageManagerNames,
} from '../index';
import { badFlag } from './errors';
import { catalogLineOf } from './node-version';

/** Image repository and tag. */
export interface ImageRef {
  readonly repository: string;
  readonly tag: string;
}

/** A valid app name. */
export function checkName(value: string, flag = '--name'): string {
  if (!isDnsLabel(value)) throw badFlag(flag, value, DNS_LABEL_RULE);
  return value;
}

/** A catalog Node.js line from `24`, `v24`, `24.x`, `24.3.1`. */
export function checkNodeVersion(value: string, flag = '--node-version'): string {
  const line = catalogLineOf(value);
  if (!line) throw badFlag(flag, value, `one of ${quoteAll(nodeVersions())} (the Node.js lines with distroless runtime images)`);
  return line;
}

/** A known package manager. */
export function checkPackageManager(value: string, flag = '--package-manager'): PackageManagerName {
  const names = packageManagerNames();
  if (!(names as string[]).includes(value)) throw badFlag(flag, value, `one of ${quoteAll(names)}`);
  return value as PackageManagerName;
}

/** A port number given as text. */
export function checkPort(value: string, flag = '--port'): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!isPort(n)) throw badFlag(flag, value, PORT_RULE);
  return n;
}

/** An HTTP path for the probes. */
export function checkHealthPath(value: string, flag = '--health-path'): string {
  if (!isHttpPath(value)) throw badFlag(flag, value, HTTP_PATH_RULE);
  return value;
}

/** `repository[:tag]`; without a tag, `defaultTag`. */
export function checkImage(value: string, defaultTag: string, flag = '--image'): ImageRef {
  const m = /^(.*?)(?::([^:/]+))?$/.exec(value.trim())!;
  const repository = m[1];
  const tag = m[2] ?? defaultTag;
  if (!isImageRepository(repository)) throw badFlag(flag, value, `${IMAGE_REPOSITORY_RULE}, optionally followed by ":<tag>"`);
  if (!isImageTag(tag)) throw badFlag(flag, value, `a tag after ":" that is ${IMAGE_TAG_RULE}`);
  return { repository, tag };
}

/** The same checks as a prompt's `validate`: `true`, or the message to show. */
export function asPromptCheck(check: (value: string) => unknown): (value: string) => true | string {
  return (value) => {
    try {
      check(value);
      return true;
    } catch (e) {
      return (e as Error).message.replace(/^Invalid \S+ /, 'Invalid value ');
    }
  };
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

function quoteAll(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}
