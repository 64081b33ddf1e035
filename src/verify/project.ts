/**
 * The project's Dockerfile as verify reads it: stages and their instructions ({@link parseDockerfile}),
 * and the single-stage equivalent its family renders for the size report.
 */
import type { ProjectFacts } from './context';
import { VerifyError } from './engine';
import { isNotApplicable } from '../contract/verify-profile';

// The one Dockerfile parser (builder-faithful: directives, comments before continuations, escape).
export { parseDockerfile, type Instruction, type Stage } from '../dockerfile/parser';

/**
 * The single-stage equivalent of the project's Dockerfile, for the size report, as the project's
 * family renders it; a {@link VerifyError} when the family has none (e.g. no build stage).
 */
export function renderSingleStageDockerfile(facts: ProjectFacts): string {
  const r = facts.profile.singleStage(facts);
  if (isNotApplicable(r)) throw new VerifyError(`No single-stage equivalent for the ${facts.model.family} family: ${r.notApplicable}.`);
  return r.dockerfile;
}
