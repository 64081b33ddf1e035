/**
 * The one JSON reader for files a user owns (package.json, msb-template.json, records): a missing
 * file, a parse error (with its line and column) and a wrong shape each get a named error.
 */
import * as fs from 'node:fs';
import { markMsbError } from '../validation';

/** A JSON file that cannot be read, does not parse, or has the wrong shape. */
export class JsonFileError extends Error {
  constructor(message: string, public readonly file: string) {
    super(message);
    markMsbError(this);
    this.name = 'JsonFileError';
  }
}

/** Shapes {@link readJsonFile} can require of the top-level value. */
export type JsonShape = 'object' | 'array' | 'any';

/**
 * Reads and parses `file` when it is there and is JSON; `undefined` otherwise (a missing or broken
 * file that the caller treats as absent: a record of an earlier run, an optional package.json).
 */
export function readJsonIfValid(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

/**
 * Reads and parses `file`. `what` names it in messages (e.g. `package.json`). With `shape: 'object'`
 * (the default) the top-level value must be a plain object (not null, not an array).
 */
export function readJsonFile<T = Record<string, unknown>>(file: string, what: string, shape: JsonShape = 'object'): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new JsonFileError(`Cannot read ${what} (${file}): ${code === 'ENOENT' ? 'it does not exist' : (e as Error).message}.`, file);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new JsonFileError(`${what} (${file}) is not valid JSON${where(text, (e as Error).message)}: ${(e as Error).message}.`, file);
  }
  if (shape !== 'any') {
    const actual = describe(value);
    if (actual !== shape) throw new JsonFileError(`${what} (${file}) must hold a JSON ${shape}, but holds ${actual === 'null' ? 'null' : `${actual === 'array' ? 'an' : 'a'} ${actual}`}.`, file);
  }
  return value as T;
}

/** `object`, `array`, `null`, `string`, `number` or `boolean`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** ` at line L, column C` from a JSON.parse message that names a position. */
function where(text: string, message: string): string {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return ` at line ${lc[1]}, column ${lc[2]}`;
  const pos = /position (\d+)/.exec(message);
  if (!pos) return '';
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  return ` at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}
