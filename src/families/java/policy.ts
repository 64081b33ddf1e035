/**
 * The Java family's entry in the runtime-stage allow-list (src/dockerfile-policy.ts): the runtime
 * stage copies the dependency layers and the application jar from the build stage, keeps the
 * image's `java -jar` ENTRYPOINT and sets JAVA_TOOL_OPTIONS (the heap share); the build stages read
 * the CA secret by path only, into a truststore they delete.
 */
import { ROOT_OWNED_FILES_POLICY, type RuntimeStagePolicy } from '../../dockerfile-policy';

/** The helper that turns the `ca_cert` bundle into a Java truststore (JDK cacerts + each certificate). */
export const TRUSTSTORE_HELPER = '/opt/msb/TrustCa.java';
/** Where the build stages write the truststore (removed in the same step). */
export const TRUSTSTORE = '/tmp/msb-truststore';

/** The only ways the Java stages name the CA secret: test it, and hand it to the helper. */
export const JAVA_CA_READS = ['[ ! -f /run/secrets/ca_cert ]', `java ${TRUSTSTORE_HELPER} /run/secrets/ca_cert`, `[ ! -f ${TRUSTSTORE} ]`] as const;

export const JAVA_RUNTIME_POLICY: RuntimeStagePolicy = {
  env: ['JAVA_TOOL_OPTIONS'],
  controlEnv: ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS', 'CLASSPATH'],
  copyFrom: ['build'],
  secretReads: [...JAVA_CA_READS],
  ...ROOT_OWNED_FILES_POLICY,
};
