/** Kubernetes resource quantities (`128Mi`, `1Gi`, `500M`, `0.5Gi`, `268435456`, `1e9`) as numbers. */

/** The multiplier of each quantity suffix (decimal SI and binary). */
export const QUANTITY_SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  'm': 1e-3,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/** The value of a quantity (bytes for memory), or undefined when it is not one. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q !== 'string') return undefined;
  const m = /^[+]?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|e([0-9]+))?$/.exec(q);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[3] !== undefined ? n * 10 ** Number(m[3]) : n * QUANTITY_SUFFIX[m[2] ?? ''];
}

/** A memory quantity in MiB (whole, rounded down), or undefined. */
export function mebibytes(q: unknown): number | undefined {
  const bytes = parseQuantity(q);
  return bytes === undefined ? undefined : Math.floor(bytes / 2 ** 20);
}
