/**
 * The Node family's entry in the runtime-stage allow-list (src/dockerfile-policy.ts): the runtime
 * stage copies the production dependencies and the build output; the build stages read the CA
 * secret by path only.
 */
import { ROOT_OWNED_FILES_POLICY, type RuntimeStagePolicy } from '../../dockerfile-policy';

export const NODE_RUNTIME_POLICY: RuntimeStagePolicy = {
  env: ['NODE_ENV'],
  controlEnv: ['NODE_OPTIONS', 'NODE_PATH', 'NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS'],
  copyFrom: ['prod-deps', 'build'],
  secretReads: ['[ ! -f /run/secrets/ca_cert ]', 'NODE_EXTRA_CA_CERTS=/run/secrets/ca_cert'],
  // The app's files belong to root with a mode without write bits for the app user.
  ...ROOT_OWNED_FILES_POLICY,
};
