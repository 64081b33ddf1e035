/**
 * The Java family's entry in the runtime-stage allow-list (src/dockerfile-policy.ts): the runtime
 * stage copies the dependency layers and the application jar from the build stage, keeps the
 * image's `java -jar` ENTRYPOINT and sets JAVA_TOOL_OPTIONS (the heap share); the build stages read
 * the CA secret in one exact command only (the build-secrets contract, src/families/build-secrets.ts).
 */
import type { RuntimeStagePolicy } from '../../contract/policy';
import { ROOT_OWNED_FILES_POLICY } from '../../dockerfile-policy';
import { CA_SECRET_PATH, caTrustReads, type CaTrust } from '../kit/build-secrets';

/** The helper (written by the deps stage) that turns the `ca_cert` bundle into a Java truststore. */
export const TRUSTSTORE_HELPER = '/opt/msb/TrustCa.java';
const TRUSTSTORE = '/tmp/msb-ca/truststore';

/**
 * How Maven and Gradle trust the `ca_cert` bundle: one run of a single-file Java program adds every
 * certificate of the bundle to a copy of the JDK's truststore (about 1 s for a 144-certificate
 * system bundle; keytool reads one certificate per run, about 0.3 to 1.2 s each), JAVA_TOOL_OPTIONS
 * points every JVM of the step at it, and the step removes it.
 */
export const JAVA_CA_TRUST: CaTrust = {
  env: [],
  script: `mkdir -p /tmp/msb-ca && java ${TRUSTSTORE_HELPER} ${CA_SECRET_PATH} ${TRUSTSTORE}`,
  scriptEnv: { JAVA_TOOL_OPTIONS: `-Djavax.net.ssl.trustStore=${TRUSTSTORE} -Djavax.net.ssl.trustStorePassword=changeit` },
  cleanup: 'rm -rf /tmp/msb-ca',
};

export const JAVA_RUNTIME_POLICY: RuntimeStagePolicy = {
  env: ['JAVA_TOOL_OPTIONS'],
  controlEnv: ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS', 'CLASSPATH'],
  copyFrom: ['build'],
  secretReads: caTrustReads(JAVA_CA_TRUST),
  ...ROOT_OWNED_FILES_POLICY,
};
