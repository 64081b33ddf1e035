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
import { ciProviderNames, findCiProvider } from '../ci/provider';

/**
 * Image repository and tag. `tag` only when given explicitly (`repository:tag`): without it the
 * definition leaves the tag to synthesis (the app version, else the git commit, else the fallback),
 * so the tag follows the version instead of being frozen at the one of the day of adoption.
 */
export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
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

/** `repository[:tag]`; the tag only when one is given. */
export function checkImage(value: string, flag = '--image'): ImageRef {
  const m = /^(.*?)(?::([^:/]+))?$/.exec(value.trim())!;
  const repository = m[1];
  const tag = m[2];
  if (!isImageRepository(repository)) throw badFlag(flag, value, `${IMAGE_REPOSITORY_RULE}, optionally followed by ":<tag>"`);
  if (tag !== undefined && !isImageTag(tag)) throw badFlag(flag, value, `a tag after ":" that is ${IMAGE_TAG_RULE}`);
  return tag === undefined ? { repository } : { repository, tag };
}

/** A CI provider of the table (`--ci github`). */
export function checkCiProvider(value: string, flag = '--ci'): string {
  if (!findCiProvider(value.trim())) throw badFlag(flag, value, `one of ${ciProviderNames().map((x) => `"${x}"`).join(', ')}`);
  return value.trim();
}
