/**
 * What the base-image lock pins, for synthesis: the App loads this module only when the project
 * has a lock file (src/app.ts). A reference the definition already pins by digest is never looked
 * up (the definition wins); the runtime and debug images are pinned as a pair or not at all, so
 * Dockerfile and Dockerfile.debug always start from one release.
 */
import type { Project } from 'projen/lib/project';
import { type LockEntries, readLockFile } from './file';
import type { AppModel, BaseImage } from '../contract/model';
import { BASE_IMAGE_LOCK_FILE } from '../contract/record';

/** The base images of an App by role, as references. */
export interface BaseImageRefs {
  readonly builder?: string;
  readonly runtime: string;
  readonly debug: string;
}

/** What the lock pins for one App's images, and why an image stays on its tag. */
export interface LockedDigests {
  readonly builder?: string;
  readonly runtime?: string;
  readonly debug?: string;
  /** One line per image of the App that the lock could pin but does not. */
  readonly notes: readonly string[];
}

/** Whether the lock may pin a reference: one the definition does not pin by digest itself. */
export function isLockable(ref: string): boolean {
  return !ref.includes('@');
}

/** Whether the lock holds every one of `refs`, all resolved in the same run (a runtime/debug pair). */
export function isHeldTogether(entries: LockEntries, refs: readonly string[]): boolean {
  const held = refs.map((r) => entries.get(r));
  return held.every((e) => e !== undefined && e.resolvedAt === held[0]!.resolvedAt);
}

/** The digests the lock pins for an App's images; pure. */
export function lockedDigests(images: BaseImageRefs, entries: LockEntries): LockedDigests {
  const notes: string[] = [];
  const missing = (ref: string) => `${ref} is not in ${BASE_IMAGE_LOCK_FILE}: its FROM uses the tag; run "create-msb-app lock" to pin it`;
  let builder: string | undefined;
  if (images.builder !== undefined && isLockable(images.builder)) {
    builder = entries.get(images.builder)?.digest;
    if (builder === undefined) notes.push(missing(images.builder));
  }
  const { runtime, debug } = images;
  if (!isLockable(runtime) || !isLockable(debug)) return { builder, notes };
  if (isHeldTogether(entries, [runtime, debug])) return { builder, runtime: entries.get(runtime)!.digest, debug: entries.get(debug)!.digest, notes };
  const r = entries.get(runtime);
  const d = entries.get(debug);
  if (!r && !d) {
    notes.push(missing(runtime), missing(debug));
  } else {
    const why = !r || !d
      ? `${BASE_IMAGE_LOCK_FILE} holds ${r ? runtime : debug} but not ${r ? debug : runtime}`
      : `${BASE_IMAGE_LOCK_FILE} holds them as resolved at different times (${r.resolvedAt}, ${d.resolvedAt})`;
    notes.push(`${runtime} and ${debug} are pinned as a pair (one release for Dockerfile and Dockerfile.debug), but ${why}: both FROM lines use the tags; run "create-msb-app lock" to pin the pair`);
  }
  return { builder, notes };
}

const PINS = new WeakMap<Project, BaseImagePins>();

/** The lock of one project, read once per synthesis process, shared by its Apps. */
export class BaseImagePins {
  /** The pins of a project (which has a lock file). */
  static of(project: Project): BaseImagePins {
    let pins = PINS.get(project);
    if (!pins) PINS.set(project, (pins = new BaseImagePins(project.outdir)));
    return pins;
  }

  private loaded?: { readonly entries?: LockEntries; readonly error?: Error };

  private constructor(private readonly dir: string) {}

  /** Why the lock file cannot be used (the App's check throws it before anything is written). */
  get problem(): Error | undefined {
    return this.load().error;
  }

  /** The model with the lock's digests on the base images it pins (unchanged when the file is invalid). */
  apply(model: AppModel): AppModel {
    const { entries } = this.load();
    if (!entries) return model;
    const b = model.baseImages;
    const locked = lockedDigests({ builder: b.builder?.ref, runtime: b.runtime.ref, debug: b.debug.ref }, entries);
    const pin = (image: BaseImage, digest: string | undefined): BaseImage => (digest ? { ...image, lockedDigest: digest } : image);
    return {
      ...model,
      baseImages: {
        builder: b.builder && pin(b.builder, locked.builder),
        runtime: pin(b.runtime, locked.runtime),
        debug: pin(b.debug, locked.debug),
      },
    };
  }

  /** One warning per base image of the model that the lock could pin but does not. */
  warnings(model: AppModel): readonly string[] {
    const { entries } = this.load();
    if (!entries) return [];
    const b = model.baseImages;
    return lockedDigests({ builder: b.builder?.ref, runtime: b.runtime.ref, debug: b.debug.ref }, entries).notes;
  }

  private load(): { readonly entries?: LockEntries; readonly error?: Error } {
    if (!this.loaded) {
      try {
        this.loaded = { entries: readLockFile(this.dir) ?? new Map() };
      } catch (e) {
        this.loaded = { error: e as Error };
      }
    }
    return this.loaded;
  }
}
