/**
 * The Go family's entry in the runtime-stage allow-list (src/dockerfile-policy.ts): the runtime
 * stage copies the binary from the build stage and runs it as its exec-form ENTRYPOINT (the debug
 * tags' own ENTRYPOINT is a shell); the build stages read the CA secret by path only.
 */
import type { RuntimeStagePolicy } from '../../contract/policy';
import { ROOT_OWNED_FILES_POLICY, mergeRuntimeStagePolicies } from '../../dockerfile-policy';
import { CA_TRUST, caTrustReads } from '../kit/build-secrets';

export const GO_RUNTIME_POLICY: RuntimeStagePolicy = {
  copyFrom: ['build'],
  controlEnv: ['GODEBUG'],
  // the only ways the Go stages name the CA secret: test it, and point Go's TLS at it (SSL_CERT_FILE)
  secretReads: caTrustReads(CA_TRUST.go),
  ...ROOT_OWNED_FILES_POLICY,
};

/** The allow-list for one definition: its binary, exactly, as ENTRYPOINT. */
export function goRuntimePolicy(entrypoint: readonly string[]): RuntimeStagePolicy {
  return mergeRuntimeStagePolicies(GO_RUNTIME_POLICY, { entrypoints: [entrypoint] });
}
