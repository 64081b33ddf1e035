/**
 * What a family's runtime stage may hold: allow-list data the Dockerfile policy (src/dockerfile-policy.ts)
 * judges the parsed Dockerfile against.
 */

/**
 * What the runtime stage (the last stage) may hold beyond WORKDIR, ENV, EXPOSE, LABEL, ARG,
 * STOPSIGNAL, exec-form CMD, USER `<uid>:<gid>` and COPY of workdir paths from named stages.
 * Entries are merged: lists are joined, switches are on when one entry turns them on.
 */
export interface RuntimeStagePolicy {
  /** ENV names the family's templates set in the runtime stage besides the definition's env and PORT, e.g. `NODE_ENV`. */
  readonly env?: readonly string[];
  /**
   * ENV names that change what the runtime runs (a preload, a debugger, module paths): an org
   * template's defaults may not set them; only the project's own definition may.
   */
  readonly controlEnv?: readonly string[];
  /** Stages the runtime stage may `COPY --from` (paths under the workdir only). */
  readonly copyFrom?: readonly string[];
  /** Exact copies allowed outside the workdir, e.g. an init binary: `{ from: 'build', src: '/usr/bin/tini-static', dest: '/tini' }`. */
  readonly fixedCopies?: readonly { readonly from: string; readonly src: string; readonly dest: string }[];
  /** ENTRYPOINTs allowed, each an exact exec-form array, e.g. `['/tini', '--', '/nodejs/bin/node']`. */
  readonly entrypoints?: readonly (readonly string[])[];
  /** A HEALTHCHECK in exec form (`CMD ["..."]`, no shell) or `NONE`. */
  readonly execHealthcheck?: boolean;
  /** `COPY --chown=0:0` with a `--chmod` that gives group and other no write bit (and no setuid/setgid/sticky). */
  readonly rootOwnedReadOnlyFiles?: boolean;
  /** `FROM --platform=<value>` allowed on build stages (never on the runtime stage). */
  readonly builderPlatforms?: readonly string[];
  /**
   * Ways a RUN with a secret mount may name the secret (exact text), e.g. the CA bundle test and
   * export of the built-in templates. Any other mention of a secret target is an error.
   */
  readonly secretReads?: readonly string[];
}
