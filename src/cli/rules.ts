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
  isDnsLabel,
  isHttpPath,
  isImageRepository,
  isImageTag,
  isPort,
} from '../index';
import { badFlag } from './errors';

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
