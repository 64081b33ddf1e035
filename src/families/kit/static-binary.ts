/**
 * What verify checks in an image that runs one static binary (the static family's prebuilt binary,
 * the Go family's): the binary is there, and on a base without one, no C library or dynamic loader.
 */
import type { ProfileCheck, ProfileContext } from '../../contract/verify-profile';

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
