/**
 * Everything verify knows about a project before building: its model (recorded in
 * `.projen/msb.json`, see model.ts), its family's verify profile and what that profile read, and the
 * parsed Dockerfiles. Works without running `.projenrc.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VerifyError } from './engine';
import { ReadModel, readVerifyModel } from './model';
import { loadVerifyProfiles, selectVerifyProfile } from './profiles';
import { OUTPUT_PATHS, type VerifyModel } from '../contract/record';
import type { FamilyFacts, ProfileContext, VerifyProfile } from '../contract/verify-profile';
import { type Stage, parseDockerfile } from '../dockerfile/parser';

/** A synthesized project as verify sees it (also the context its family's profile gets). */
export interface ProjectFacts extends ProfileContext {
  readonly dir: string;
  /** The app name (names the images verify builds). */
  readonly name: string;
  readonly model: VerifyModel;
  /** Where the model came from, and the note to show when it was not recorded. */
  readonly modelSource: ReadModel['source'];
  readonly modelNote?: string;
  /** The verify profile of the model's family. */
  readonly profile: VerifyProfile;
  /** What the profile read from the project. */
  readonly familyFacts: FamilyFacts;
  readonly dockerfile: string;
  readonly debugDockerfile: string;
  readonly stages: Stage[];
  readonly debugStages: Stage[];
  /** Builder image; none without a build or dependency stage. */
  readonly builderImage?: string;
  /** Base image of the runtime stage. */
  readonly runtimeBase: string;
  /** Base image of the debug runtime stage. */
  readonly debugBase: string;
  readonly workdir: string;
  readonly port: number;
  readonly uid: number;
  readonly gid: number;
  /** CMD of the runtime stage (exec form). */
  readonly cmd: readonly string[];
  /** HTTP path the serve check GETs: the probes' path, `/` when they use TCP. */
  readonly healthPath: string;
  /** Whether the Dockerfile has a build stage (the image should then hold no sources to compile). */
  readonly hasBuild: boolean;
}

/**
 * Reads a synthesized project: its model, its family's profile (which may stop here with an error
 * the user can act on) and its Dockerfiles. Throws a {@link VerifyError} naming what is missing.
 * `profiles`: the families verify knows (default: every family of the table).
 */
export async function readProject(dir: string, profiles?: readonly VerifyProfile[]): Promise<ProjectFacts> {
  const abs = path.resolve(dir);
  const read = (rel: string) => {
    const file = path.join(abs, rel);
    if (!fs.existsSync(file)) throw new VerifyError(`${file} not found: run verify in a project made by create-msb-app (or run \`npx projen\` there first).`);
    return fs.readFileSync(file, 'utf8');
  };
  const stages = parseDockerfile(read(OUTPUT_PATHS.dockerfile));
  const debugStages = parseDockerfile(read(OUTPUT_PATHS.debugDockerfile));
  const known = profiles ?? await loadVerifyProfiles();
  const { model, source, note } = readVerifyModel(abs, known);
  const profile = selectVerifyProfile(model.family, known);
  return {
    dir: abs,
    name: model.name,
    model,
    modelSource: source,
    modelNote: note,
    profile,
    familyFacts: profile.readFacts(abs, model),
    dockerfile: path.join(abs, OUTPUT_PATHS.dockerfile),
    debugDockerfile: path.join(abs, OUTPUT_PATHS.debugDockerfile),
    stages,
    debugStages,
    builderImage: model.images.builder,
    runtimeBase: model.images.runtime,
    debugBase: model.images.debug,
    workdir: model.workdir,
    port: model.port,
    uid: model.uid,
    gid: model.gid,
    cmd: model.cmd,
    healthPath: model.healthPath ?? '/',
    hasBuild: model.hasBuild,
  };
}
