/**
 * The journal of pending checksums: before synthesis changes the first file it records, for every
 * file it is about to write, the sha256 of the new content. The record (`.projen/msb.json`) is
 * written after every rename and the journal removed after the record. A crash in between leaves
 * the journal, and the next synthesis accepts a file whose content matches a pending checksum as
 * its own (not a hand edit), and removes such a file if the definition no longer produces it.
 *
 * Format: `{ "pid": 123, "started": "<ISO time>", "files": { "<path>": ["<sha256>", ...] } }`.
 * Pending checksums of an earlier crashed synthesis are carried over until one synthesis completes.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeFile, writeAtomic } from './disk';

/** The journal file, relative to the project. */
export const JOURNAL_FILE = '.projen/msb.pending.json';

/** What the journal holds. */
export interface PendingJournal {
  readonly pid: number;
  readonly started: string;
  /** path -> sha256 of contents a synthesis was about to write there. */
  readonly files: Record<string, string[]>;
}

/** The journal a crashed synthesis left, if any (an unreadable one counts as none). */
export function readJournal(outdir: string): PendingJournal | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path.join(outdir, JOURNAL_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const files = (parsed as { files?: unknown } | null)?.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return undefined;
  const clean: Record<string, string[]> = Object.create(null);
  for (const [p, hashes] of Object.entries(files)) {
    if (Array.isArray(hashes)) clean[p] = hashes.filter((h): h is string => typeof h === 'string');
  }
  return { pid: Number((parsed as { pid?: unknown }).pid), started: String((parsed as { started?: unknown }).started), files: clean };
}

/** Writes the journal: `pending` merged with what an earlier crashed synthesis left. */
export function writeJournal(outdir: string, pending: Record<string, string>, earlier?: PendingJournal): void {
  const files: Record<string, string[]> = {};
  for (const [p, hashes] of Object.entries(earlier?.files ?? {})) files[p] = [...hashes];
  for (const [p, hash] of Object.entries(pending)) {
    const list = (files[p] ??= []);
    if (!list.includes(hash)) list.push(hash);
  }
  const sorted = Object.fromEntries(Object.keys(files).sort().map((p) => [p, files[p]]));
  const journal: PendingJournal = { pid: process.pid, started: new Date().toISOString(), files: sorted };
  writeAtomic(path.join(outdir, JOURNAL_FILE), JOURNAL_FILE, JSON.stringify(journal, null, 2) + '\n', 0o644);
}

/** Removes the journal once the record is in place. */
export function removeJournal(outdir: string): void {
  removeFile(path.join(outdir, JOURNAL_FILE), JOURNAL_FILE);
}

/** The checksum the record and the journal hold. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
