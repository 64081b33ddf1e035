/**
 * The `static` family's verify profile: a prebuilt static binary copied from the build context into
 * gcr.io/distroless/static-debian13:nonroot, run as `ENTRYPOINT ["<workdir>/<binary>"]`.
 *
 * There is no build stage and no dependency install, so the rebuild check and the single-stage
 * equivalent do not apply (the report says so). What the runtime image needs is the binary (verify
 * finds it among the runtime stage's copies from the context). Its own checks: the binary is in the
 * image, and no C library or dynamic loader is (a static binary needs none, and the base has none).
 * There is no interpreter to print the uid with: the uid check reads it from /proc.
 */
import type { ForbiddenExecutable, VerifyProfile } from '../../../contract/verify-profile';
import { staticFileChecks } from '../../kit/static-binary';

/** Toolchains that build static binaries; none belongs in the runtime image. */
const COMPILERS = ['go', 'gofmt', 'gcc', 'cc', 'clang', 'rustc', 'cargo', 'zig'];

const FORBIDDEN: readonly ForbiddenExecutable[] = COMPILERS.map((name) => ({
  name,
  kind: 'compiler',
  pattern: new RegExp(`/(s?bin|go/bin|\\.cargo/bin)/${name}$`),
}));

/** The static family's verify profile. */
export const staticVerifyProfile: VerifyProfile = {
  family: 'static',
  forbiddenExecutables: FORBIDDEN,
  readFacts: () => ({}),
  fileChecks: staticFileChecks,
  // the binary is a copy from the build context, which verify finds in the runtime stage
  needed: () => ({ sources: [] }),
  dependencyInstall: () => ({ notApplicable: 'a prebuilt binary: the Dockerfile installs no dependencies, so there is no install layer to reuse' }),
  singleStage: () => ({ notApplicable: 'no build stage: the image is the runtime base plus the prebuilt binary, with no builder image to compare with' }),
};
