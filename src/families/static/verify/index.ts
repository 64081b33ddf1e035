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
import type { ForbiddenExecutable, ProfileCheck, ProfileContext, VerifyProfile } from '../../verify-profile';

/** Toolchains that build static binaries; none belongs in the runtime image. */
const COMPILERS = ['go', 'gofmt', 'gcc', 'cc', 'clang', 'rustc', 'cargo', 'zig'];

const FORBIDDEN: readonly ForbiddenExecutable[] = COMPILERS.map((name) => ({
  name,
  kind: 'compiler',
  pattern: new RegExp(`/(s?bin|go/bin|\\.cargo/bin)/${name}$`),
}));

/** A C library or dynamic loader (glibc, musl), by file name. */
const LIBC = /\/(ld-linux[^/]*\.so(\.\d+)*|ld-musl-[^/]*\.so(\.\d+)*|libc\.so(\.\d+)*|libc-[\d.]+\.so|libc\.musl-[^/]*\.so(\.\d+)*)$/;

const list = (xs: readonly string[]) => xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, ... (${xs.length})` : '');

/** The path the image runs: the first word of ENTRYPOINT (else CMD), resolved against the workdir. */
export function staticBinaryPath(model: ProfileContext['model']): string | undefined {
  const first = model.entrypoint?.[0] ?? model.cmd[0];
  if (!first) return undefined;
  return first.startsWith('/') ? first : `${model.workdir.replace(/\/+$/, '')}/${first.replace(/^\.\//, '')}`;
}

/** The checks of the static family on the runtime image's file list. */
export function staticFileChecks(files: readonly string[], ctx: Pick<ProfileContext, 'model'>): ProfileCheck[] {
  const binary = staticBinaryPath(ctx.model);
  const libc = files.filter((f) => LIBC.test(f));
  return [
    {
      id: 'binary-present',
      title: `the binary the image runs (${binary ?? 'none: no ENTRYPOINT or CMD'}) is in the runtime image`,
      ok: binary !== undefined && files.includes(binary),
      detail: binary === undefined ? 'the model has no ENTRYPOINT and no CMD' : files.includes(binary) ? `found ${binary}` : `${binary} is not among ${files.length} paths`,
    },
    {
      id: 'no-libc',
      title: 'no C library or dynamic loader in the runtime image (a static binary needs none)',
      ok: libc.length === 0,
      detail: libc.length ? `found ${list(libc)}` : 'none',
    },
  ];
}

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
