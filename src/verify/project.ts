/**
 * The project's Dockerfile as verify reads it: stages and their instructions ({@link parseDockerfile}),
 * and the single-stage equivalent its family renders for the size report.
 */
import type { ProjectFacts } from './context';
import { VerifyError } from './engine';
import { isNotApplicable } from '../families/verify-profile';

/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  /** Upper-case keyword, e.g. `RUN`. */
  readonly keyword: string;
  /** Everything after the keyword. */
  readonly args: string;
  /** The instruction as written (continuations kept), for re-rendering. */
  readonly text: string;
}

/** A build stage: its FROM line and the instructions after it. */
export interface Stage {
  /** Image or stage it starts from. */
  readonly from: string;
  /** `AS` name, if any. */
  readonly name?: string;
  readonly instructions: Instruction[];
}

/** Splits a Dockerfile into stages (comments and blank lines dropped). */
export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let buf: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (buf.length === 0 && (/^\s*#/.test(raw) || raw.trim() === '')) continue;
    if (buf.length > 0 && /^\s*#/.test(raw)) continue; // comment inside a continuation
    buf.push(raw);
    if (/\\\s*$/.test(raw)) continue;
    const written = buf.join('\n');
    const joined = buf.map((l) => l.replace(/\\\s*$/, '')).join(' ').replace(/\s+/g, ' ').trim();
    const m = /^(\S+)\s*(.*)$/.exec(joined)!;
    instructions.push({ keyword: m[1].toUpperCase(), args: m[2], text: written });
    buf = [];
  }
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      stages.push({ from: parts[0], name: /^as$/i.test(parts[1] ?? '') ? parts[2] : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

/**
 * The single-stage equivalent of the project's Dockerfile, for the size report, as the project's
 * family renders it; a {@link VerifyError} when the family has none (e.g. no build stage).
 */
export function renderSingleStageDockerfile(facts: ProjectFacts): string {
  const r = facts.profile.singleStage(facts);
  if (isNotApplicable(r)) throw new VerifyError(`No single-stage equivalent for the ${facts.model.family} family: ${r.notApplicable}.`);
  return r.dockerfile;
}
