/**
 * The base images of a synthesized project, as its last synthesis recorded them in
 * `.projen/msb.json` (src/model/record.ts): `model.baseImages` for the project's one App,
 * `apps.<path>.baseImages` for each App of a workspace. These are the references as the definition
 * resolves them (mirror, catalog, org template and the project's own `baseImages` applied), before
 * the lock's digests: nothing here re-derives an image name.
 */
import * as path from 'node:path';
import { RECORD_FILE, type RecordedModel } from '../contract/record';
import { readJsonFile } from '../util/json';
import { isPlainObject } from '../util/safe-object';
import { isImageReference, markMsbError, userError } from '../validation';
import type { BaseImageRefs } from './pins';

/** One App's base images. */
export interface AppImages {
  /** The App's name, with its folder in a workspace (`web (apps/web)`). */
  readonly app: string;
  readonly images: BaseImageRefs;
}

/** The recorded images are missing or malformed: the project needs a synthesis. */
export class RecordedImagesError extends Error {
  constructor(message: string) {
    super(`${message}: run "npx projen" in the project, then run this command again.`);
    this.name = 'RecordedImagesError';
    markMsbError(userError(this));
  }
}

/** The base images of every App of the project in `dir`, in the order the record lists them. */
export function readProjectImages(dir: string): AppImages[] {
  const record = readJsonFile<{ model?: unknown; apps?: unknown }>(path.join(dir, RECORD_FILE), RECORD_FILE);
  const recorded: [string, unknown, string][] = [];
  if (record.model !== undefined) recorded.push([appName(record.model, path.basename(dir)), record.model, 'model']);
  if (isPlainObject(record.apps)) {
    for (const [folder, model] of Object.entries(record.apps)) recorded.push([`${appName(model, folder)} (${folder})`, model, `apps.${folder}`]);
  }
  if (recorded.length === 0) throw new RecordedImagesError(`${RECORD_FILE} in ${dir} records no App (synthesized by an older create-msb-app, or no App in .projenrc.ts)`);
  return recorded.map(([app, model, at]) => ({ app, images: baseImages(model, `${at}.baseImages`) }));
}

function appName(model: unknown, fallback: string): string {
  return isPlainObject(model) && typeof model.name === 'string' ? model.name : fallback;
}

function baseImages(model: unknown, at: string): BaseImageRefs {
  const b = (isPlainObject(model) ? model.baseImages : undefined) as Partial<RecordedModel['baseImages']> | undefined;
  const ref = (role: 'builder' | 'runtime' | 'debug', optional = false): string | undefined => {
    const v = isPlainObject(b) ? b[role] : undefined;
    if (v === undefined && optional) return undefined;
    if (!isImageReference(v)) throw new RecordedImagesError(`${RECORD_FILE}: ${at}.${role} is ${v === undefined ? 'missing' : JSON.stringify(v)}; expected an image reference`);
    return v;
  };
  return { builder: ref('builder', true), runtime: ref('runtime')!, debug: ref('debug')! };
}
