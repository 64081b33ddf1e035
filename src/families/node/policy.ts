/**
 * The Node family's entry in the runtime-stage allow-list (src/dockerfile-policy.ts): the runtime
 * stage copies the production dependencies and the build output; the build stages read the CA
 * secret by path only. The init process and the HEALTHCHECK are allowed only when the definition
 * turns them on.
 */
import type { RuntimeStagePolicy } from '../../contract/policy';
import { HEALTHCHECK_POLICY, ROOT_OWNED_FILES_POLICY, mergeRuntimeStagePolicies } from '../../dockerfile-policy';

/** An init process (tini) as PID 1: its static binary copied to `/tini` and the matching ENTRYPOINT. */
export const INIT_POLICY: RuntimeStagePolicy = {
  fixedCopies: [{ from: 'build', src: '/usr/bin/tini-static', dest: '/tini' }],
  entrypoints: [['/tini', '--', '/nodejs/bin/node']],
};
/** A traced stage (only the files the app opens at run time). */
export const TRACED_STAGE_POLICY: RuntimeStagePolicy = { copyFrom: ['traced'] };

export const NODE_RUNTIME_POLICY: RuntimeStagePolicy = {
  env: ['NODE_ENV'],
  controlEnv: ['NODE_OPTIONS', 'NODE_PATH', 'NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS'],
  copyFrom: ['prod-deps', 'build'],
  secretReads: ['[ ! -f /run/secrets/ca_cert ]', 'NODE_EXTRA_CA_CERTS=/run/secrets/ca_cert'],
  // The app's files belong to root with a mode without write bits for the app user.
  ...ROOT_OWNED_FILES_POLICY,
};

/** The ENTRYPOINT with `runtime.init`: tini as PID 1, then Node (the one form {@link INIT_POLICY} admits). */
export const NODE_INIT_ENTRYPOINT: readonly string[] = INIT_POLICY.entrypoints![0];

/** The Node family's allow-list for a definition: the init process and the HEALTHCHECK only when on. */
export function nodeRuntimePolicy(features: { readonly init: boolean; readonly healthcheck: boolean }): RuntimeStagePolicy {
  if (!features.init && !features.healthcheck) return NODE_RUNTIME_POLICY;
  const on = [...(features.init ? [INIT_POLICY] : []), ...(features.healthcheck ? [HEALTHCHECK_POLICY] : [])];
  return mergeRuntimeStagePolicies(NODE_RUNTIME_POLICY, ...on);
}
