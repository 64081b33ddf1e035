/**
 * Maps what projects say about their Node.js version (`engines.node`, `.nvmrc`, `.node-version`,
 * a flag) to a line of the runtime catalog.
 */
import { DEFAULT_NODE_VERSION, nodeVersions } from '../catalog';

/** LTS code names nvm accepts (`lts/jod`). */
const LTS_CODENAMES: Record<string, string> = {
  hydrogen: '18',
  iron: '20',
  jod: '22',
  krypton: '24',
};

/**
 * A version as written by a user or in `.nvmrc` (`24`, `v24.3.1`, `24.x`, `lts/*`, `lts/jod`, `node`)
 * to a catalog line; `undefined` when it names no line of the catalog.
 */
export function catalogLineOf(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'node' || t === 'lts/*' || t === 'lts' || t === 'latest' || t === 'stable') return DEFAULT_NODE_VERSION;
  const lts = /^lts\/([a-z]+)$/.exec(t);
  const major = lts ? LTS_CODENAMES[lts[1]] : /^v?(\d+)(?:\.(?:\d+|x|\*))*$/.exec(t)?.[1];
  return major !== undefined && nodeVersions().includes(major) ? major : undefined;
}

/**
 * The newest catalog line an `engines.node` range allows, e.g. `>=18` -> the newest line,
 * `^22.5.0` -> `22`, `20.x` -> none. Supports the range syntax people write in `engines`
 * (comparators, `^`, `~`, x-ranges, hyphen ranges and `||`).
 */
export function catalogLineForRange(range: string): string | undefined {
  const lines = nodeVersions().slice().reverse();
  return lines.find((line) => {
    const major = Number(line);
    // A line satisfies the range when its first or last release, or a release the range names, would.
    const named = [...range.matchAll(/(\d+)(?:\.(\d+))?(?:\.(\d+))?/g)]
      .filter((m) => Number(m[1]) === major)
      .map((m): Version => [major, Number(m[2] ?? 0), Number(m[3] ?? 0)]);
    return [[major, 0, 0] as Version, [major, 999, 999] as Version, ...named].some((v) => satisfies(v, range));
  });
}

type Version = [number, number, number];

function satisfies(v: Version, range: string): boolean {
  return range.split('||').some((set) => {
    const hyphen = /^\s*(\S+)\s+-\s+(\S+)\s*$/.exec(set);
    if (hyphen) return compareTo(v, '>=', hyphen[1]) && compareTo(v, '<=', hyphen[2]);
    const parts = set.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) return true;
    return parts.every((p) => comparator(v, p));
  });
}

function comparator(v: Version, part: string): boolean {
  const m = /^(>=|<=|>|<|=|\^|~)?\s*v?(.*)$/.exec(part);
  if (!m) return false;
  const op = m[1] ?? '';
  const [major, minor, patch] = partial(m[2]);
  if (major === undefined) return true; // "*" or "x"
  if (op === '^' || op === '~' || (op === '' || op === '=') && (minor === undefined || patch === undefined)) {
    const lo: Version = [major, minor ?? 0, patch ?? 0];
    let hi: Version;
    if (op === '^') hi = major > 0 || minor === undefined ? [major + 1, 0, 0] : [0, minor + 1, 0];
    else if (op === '~' || minor !== undefined) hi = minor === undefined ? [major + 1, 0, 0] : [major, minor + 1, 0];
    else hi = [major + 1, 0, 0];
    return cmp(v, lo) >= 0 && cmp(v, hi) < 0;
  }
  return compareTo(v, op || '=', m[2]);
}

function compareTo(v: Version, op: string, text: string): boolean {
  const [major, minor, patch] = partial(text.replace(/^v/, ''));
  if (major === undefined) return true;
  // Partial versions in comparators: ">=22" means ">=22.0.0", "<=22" means "<23.0.0".
  const exact: Version = [major, minor ?? 0, patch ?? 0];
  const c = cmp(v, exact);
  switch (op) {
    case '>=': return c >= 0;
    case '>': return minor === undefined ? v[0] > major : patch === undefined ? cmp(v, [major, minor + 1, 0]) >= 0 : c > 0;
    case '<': return c < 0;
    case '<=': return minor === undefined ? v[0] <= major : patch === undefined ? cmp(v, [major, minor + 1, 0]) < 0 : c <= 0;
    default: return c === 0;
  }
}

function partial(text: string): [number | undefined, number | undefined, number | undefined] {
  const nums = text.split('-')[0].split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : undefined));
  return [nums[0], nums[1], nums[2]];
}

function cmp(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
