/**
 * What `create-msb-app lock` resolves and writes, as pure functions of the project's images, the
 * lock as it is and what the registry answered. Images are resolved in groups: a builder alone, a
 * runtime with its debug image (a pair: both resolved in the same run, written with the same
 * `resolvedAt`, so synthesis can tell they belong together). An entry whose digest did not move
 * is kept as it is, so the file changes only where a pin moved.
 */
import type { LockEntries, LockEntry } from './file';
import type { AppImages } from './images';
import { isHeldTogether, isLockable } from './pins';
import type { ResolvedImage } from './registry';

/** Images resolved together (one, or a runtime/debug pair; pairs sharing an image are one group). */
export interface LockGroup {
  readonly refs: readonly string[];
}

/** What the lock command will do. */
export interface LockPlan {
  /** Every group of lockable images the project uses. */
  readonly groups: readonly LockGroup[];
  /** The groups to resolve now: all with `update`, else those the lock does not hold (completely). */
  readonly toResolve: readonly LockGroup[];
  /** Which App uses each reference, and as what (`builder of orders-api`). */
  readonly users: ReadonlyMap<string, readonly string[]>;
  /** Images the definition pins itself, and runtime/debug pairs only half pinned there. */
  readonly notes: readonly string[];
}

/** One line of the change report. */
export interface LockChange {
  readonly kind: 'added' | 'moved' | 'renewed' | 'removed';
  readonly ref: string;
  readonly digest?: string;
  readonly previous?: string;
}

/** Groups the project's images and picks what to resolve. */
export function planLock(apps: readonly AppImages[], lock: LockEntries, update: boolean): LockPlan {
  const users = new Map<string, string[]>();
  const notes: string[] = [];
  const sets: Set<string>[] = [];
  const use = (ref: string, who: string) => users.set(ref, [...(users.get(ref) ?? []), who]);
  const group = (refs: string[]) => {
    // pairs that share an image are resolved (and written) together
    const merged = new Set(refs);
    for (let i = sets.length - 1; i >= 0; i--) {
      if ([...sets[i]].some((r) => merged.has(r))) {
        for (const r of sets[i]) merged.add(r);
        sets.splice(i, 1);
      }
    }
    sets.push(merged);
  };
  for (const { app, images } of apps) {
    const { builder, runtime, debug } = images;
    if (builder !== undefined) {
      if (isLockable(builder)) {
        use(builder, `builder of ${app}`);
        group([builder]);
      } else {
        notes.push(`${builder} (builder of ${app}) is pinned in the definition: not locked`);
      }
    }
    if (isLockable(runtime) && isLockable(debug)) {
      use(runtime, `runtime of ${app}`);
      use(debug, `debug of ${app}`);
      group([runtime, debug]);
    } else if (isLockable(runtime) || isLockable(debug)) {
      const [pinned, tag] = isLockable(runtime) ? ['debug', 'runtime'] : ['runtime', 'debug'];
      notes.push(`baseImages.${pinned} of ${app} is pinned in the definition and its ${tag} image is a tag (${isLockable(runtime) ? runtime : debug}): the lock pins runtime and debug as a pair only, so neither is locked; pin baseImages.${tag} in the definition too`);
    } else {
      notes.push(`${runtime} and ${debug} (runtime and debug of ${app}) are pinned in the definition: not locked`);
    }
  }
  const groups = sets.map((s) => ({ refs: [...s].sort() }));
  return { groups, toResolve: update ? groups : groups.filter((g) => !isHeldTogether(lock, g.refs)), users, notes };
}

/**
 * The lock after resolving `plan.toResolve`: a group none of whose digests moved keeps its entries
 * (and their `resolvedAt`); any other resolved group is written anew with `now`; entries no App
 * uses are dropped. Returns the entries and the changes, sorted by reference.
 */
export function nextLock(
  plan: LockPlan, lock: LockEntries, resolved: ReadonlyMap<string, ResolvedImage>, now: string,
): { entries: Map<string, LockEntry>; changes: LockChange[] } {
  const entries = new Map<string, LockEntry>();
  const changes: LockChange[] = [];
  const resolving = new Set(plan.toResolve);
  for (const g of plan.groups) {
    const moved = () => g.refs.some((r) => lock.get(r)?.digest !== resolved.get(r)!.digest);
    const fresh = resolving.has(g) && (!isHeldTogether(lock, g.refs) || moved());
    for (const ref of g.refs) {
      const old = lock.get(ref);
      if (!fresh) {
        entries.set(ref, old!);
        continue;
      }
      const r = resolved.get(ref)!;
      entries.set(ref, { digest: r.digest, mediaType: r.mediaType, resolvedAt: now });
      const kind = old === undefined ? 'added' : old.digest !== r.digest ? 'moved' : 'renewed';
      changes.push({ kind, ref, digest: r.digest, previous: old?.digest });
    }
  }
  for (const [ref, old] of lock) if (!plan.users.has(ref)) changes.push({ kind: 'removed', ref, previous: old.digest });
  return { entries, changes: changes.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0)) };
}
