/**
 * The options of `create-msb-app verify`, declared once: the CLI's command declaration (help, README
 * table) and `runVerify`'s parser both read this table. Plain data: the CLI loads it without
 * loading verify.
 */
import type { OptionDecl } from '../contract/family-cli';

/** One option of verify: the CLI's option declaration. */
export type VerifyOptionDecl = OptionDecl;

export const VERIFY_OPTIONS = {
  'engine': { type: 'string', value: '<docker|podman>', description: 'Container engine', default: 'the first that answers' },
  'no-run': { type: 'boolean', description: 'Build and inspect only; do not start containers' },
  'no-pod-parity': { type: 'boolean', description: "Skip the run with the Deployment's settings (probes, SIGTERM, read-only root, memory)" },
  'env-file': { type: 'string', value: '<file>', description: 'Env file for the pod-parity run: values the Deployment takes from ConfigMaps/Secrets' },
  'no-single-stage': { type: 'boolean', description: 'Skip the single-stage build (size report without it)' },
  'keep-images': { type: 'boolean', description: 'Keep the images built (localhost/msb-verify/<name>:runtime, :debug, ...)' },
  'ca-cert': { type: 'string', value: '<file>', description: 'Pass a CA bundle as the ca_cert build secret (TLS-intercepting proxy)' },
  'secret': { type: 'string', multiple: true, value: '<id=..,src=..>', description: 'Pass a build secret (repeatable), e.g. id=npmrc,src=$HOME/.npmrc' },
  'pull': { type: 'string', value: '<always|missing|never>', description: 'Base image pull policy', default: "the engine's" },
  'network': { type: 'string', value: '<mode>', description: 'Network of the build steps, e.g. host' },
  'verbose': { type: 'boolean', description: 'Show the whole build output' },
  'help': { type: 'boolean', short: 'h', description: 'Show this help' },
} as const satisfies Record<string, VerifyOptionDecl>;

/** What verify does, for its help. */
export const VERIFY_DETAILS = (program: string) => `Builds Dockerfile and Dockerfile.debug of a project made by ${program} with docker or podman
(whichever is installed and running), then checks the images against the model recorded in
.projen/msb.json, with the checks of the project's runtime family:
  - the runtime image answers HTTP 200 on the health path (or /) over 127.0.0.1
  - run with the Deployment's settings (uid, read-only root, tmpfs /tmp, no capabilities, memory
    limit, env), its probes pass within the startup budget, it exits within the grace period after
    SIGTERM and (Node.js) its heap limit is below the memory limit
  - its main process runs as the non-root uid and gid (65532), read from /proc on the host
  - it has no shell (anywhere), no setuid file, no package manager and no compiler; the debug image
    has a shell
  - its files hold no .env, and nothing the family keeps out (e.g. Node.js: no devDependencies, no
    TypeScript sources with a build, no tests; static binaries: no C library)
  - after a source-only change (in a temporary copy), the dependency install comes from the build
    cache (families with a dependency install)
and prints sizes: runtime vs debug vs the single-stage equivalent (families with a build). Writes
.msb/verify-report.json and .msb/verify-report.svg.`;

/** The last line of verify's help. */
export const VERIFY_FOOTER = 'Exit code: 0 when every check passes, 1 when one fails or the build fails, 2 for bad options.';
