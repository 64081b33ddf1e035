/**
 * Build secrets for every toolchain: one contract the families' templates and policy entries use.
 *
 * - The CA bundle of a TLS-intercepting proxy is the build secret `ca_cert`, mounted at
 *   {@link CA_SECRET_PATH} for the steps that download. Each toolchain trusts it its own way
 *   ({@link CA_TRUST}): environment variables pointing at the mounted file (pip, uv, Go, Node.js), or
 *   a command that imports every certificate of the bundle into a throwaway Java truststore
 *   (keytool). The command is rendered by {@link caTrustCommand} and is exactly what the
 *   runtime-stage policy admits ({@link caTrustReads}, merged into the family's `secretReads`).
 * - Private registries are build secrets too, one set per ecosystem ({@link REGISTRY_SECRETS}),
 *   mounted where the tool reads them by default (so no command names them) and listed in the
 *   Dockerfile's header. Files of the same name in the project are kept out of the build context
 *   ({@link registrySecretFiles}).
 *
 * A family's build stage: `RUN <cache mounts> {{> toolchain-secret-mounts}} \` then
 * `{{> toolchain-ca-trust}}` then its command, with `buildSecrets` and `caTrust` in its template
 * context from {@link buildSecretsContext}.
 */

/** Where the `ca_cert` secret is mounted. */
export const CA_SECRET_PATH = '/run/secrets/ca_cert';
/** The build secret id of the CA bundle. */
export const CA_SECRET_ID = 'ca_cert';

/** How one toolchain trusts the CA bundle. */
export interface CaTrust {
  /** Environment variables set to the mounted bundle (only when the secret is there). */
  readonly env: readonly string[];
  /**
   * A command that reads the bundle (only when the secret is there), before the toolchain runs; it
   * leaves nothing derived from the secret in the layer (a `cleanup` removes its files afterwards).
   */
  readonly script?: string;
  /** Environment settings the script's result needs (e.g. a truststore path), exported with it. */
  readonly scriptEnv?: Readonly<Record<string, string>>;
  /** A command run after the toolchain, removing what the script made. */
  readonly cleanup?: string;
}

const IF_CA = `[ ! -f ${CA_SECRET_PATH} ]`;
/** A throwaway truststore: the JDK's own CAs plus every certificate of the bundle, removed after the step. */
const JAVA_TRUSTSTORE = '/tmp/msb-ca/truststore.p12';

/** The CA trust of each toolchain, by name. */
export const CA_TRUST = {
  /** Node.js and npm/pnpm/yarn: adds the bundle to Node's own CAs. */
  node: { env: ['NODE_EXTRA_CA_CERTS'] },
  /** pip (its bundled certifi otherwise), requests-based tools, uv (reads SSL_CERT_FILE) and Poetry. */
  python: { env: ['PIP_CERT', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'] },
  /** Go's crypto/x509 reads SSL_CERT_FILE on Linux (it replaces the system store). */
  go: { env: ['SSL_CERT_FILE'] },
  /**
   * Maven and Gradle (any JVM tool): keytool imports each certificate of the bundle (keytool reads
   * only the first of a PEM bundle) into a copy of the JDK's truststore; JAVA_TOOL_OPTIONS points
   * the JVM at it; the copy is removed after the step. One keytool run per certificate (about
   * 1.2 s each): pass the proxy's CA, not a whole system bundle.
   */
  java: {
    env: [],
    script: `mkdir -p /tmp/msb-ca && keytool -importkeystore -noprompt -srckeystore "$JAVA_HOME/lib/security/cacerts" -srcstorepass changeit -destkeystore ${JAVA_TRUSTSTORE} -deststoretype PKCS12 -deststorepass changeit >/dev/null 2>&1 && ` +
      `awk 'BEGIN{n=0} /-----BEGIN CERTIFICATE-----/{n++} n>0{print > ("/tmp/msb-ca/cert-" n ".pem")}' ${CA_SECRET_PATH} && ` +
      `for f in /tmp/msb-ca/cert-*.pem; do keytool -importcert -noprompt -alias "msb-$(basename "$f" .pem)" -file "$f" -keystore ${JAVA_TRUSTSTORE} -storepass changeit >/dev/null 2>&1; done`,
    scriptEnv: { JAVA_TOOL_OPTIONS: `-Djavax.net.ssl.trustStore=${JAVA_TRUSTSTORE} -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12` },
    cleanup: 'rm -rf /tmp/msb-ca',
  },
} as const satisfies Record<string, CaTrust>;

export type Toolchain = keyof typeof CA_TRUST;

/**
 * The shell text that trusts the CA before the toolchain runs (ends with `; ` so the command
 * follows): exports for the variables, the script with its env for a truststore.
 */
export function caTrustCommand(trust: CaTrust): string {
  const parts: string[] = [];
  if (trust.env.length > 0) parts.push(`${IF_CA} || export ${trust.env.map((e) => `${e}=${CA_SECRET_PATH}`).join(' ')};`);
  const block = scriptBlock(trust);
  if (block) parts.push(`${block};`);
  return parts.join(' ');
}

/** `if [ -f <bundle> ]; then <script> && export <env>; fi`: one text, admitted as a whole. */
function scriptBlock(trust: CaTrust): string | undefined {
  if (!trust.script) return undefined;
  const env = Object.entries(trust.scriptEnv ?? {}).map(([k, v]) => `${k}="${v}"`).join(' ');
  return `if [ -f ${CA_SECRET_PATH} ]; then ${trust.script}${env ? ` && export ${env}` : ''}; fi`;
}

/** The exact texts the runtime-stage policy's `secretReads` admits for a toolchain's CA trust. */
export function caTrustReads(trust: CaTrust): string[] {
  const block = scriptBlock(trust);
  return [...(block ? [block] : []), IF_CA, ...trust.env.map((e) => `${e}=${CA_SECRET_PATH}`)];
}

/** A build secret other than the CA: a registry credential file, mounted where the tool reads it by default. */
export interface BuildSecret {
  /** `--secret id=<id>`. */
  readonly id: string;
  /** Where the build mounts it (the tool's default path for root, the builder's user). */
  readonly target: string;
  /** What it holds, for the Dockerfile's header. */
  readonly description: string;
  /** The `src=` of the example in the header. */
  readonly example: string;
  /** Names of such files in a project, kept out of the build context (`.dockerignore`). */
  readonly contextFiles: readonly string[];
}

/** The CA bundle as a build secret (every toolchain). */
export const CA_SECRET: BuildSecret = {
  id: CA_SECRET_ID,
  target: CA_SECRET_PATH,
  description: 'CA bundle of a TLS-intercepting proxy',
  example: '/path/to/ca.pem',
  contextFiles: [],
};

/** Private-registry secrets per ecosystem. */
export const REGISTRY_SECRETS = {
  npm: [{ id: 'npmrc', target: '/root/.npmrc', description: 'npm registry credentials', example: '$HOME/.npmrc', contextFiles: ['.npmrc'] }],
  python: [
    { id: 'pip_conf', target: '/root/.config/pip/pip.conf', description: 'pip index (index-url with credentials)', example: '$HOME/.config/pip/pip.conf', contextFiles: ['pip.conf', 'pip.ini'] },
    { id: 'uv_toml', target: '/root/.config/uv/uv.toml', description: 'uv index settings', example: '$HOME/.config/uv/uv.toml', contextFiles: [] },
    { id: 'netrc', target: '/root/.netrc', description: 'index credentials by host (pip, uv and Poetry read it)', example: '$HOME/.netrc', contextFiles: ['.netrc'] },
  ],
  go: [{ id: 'netrc', target: '/root/.netrc', description: 'credentials of private module hosts (with GOPRIVATE)', example: '$HOME/.netrc', contextFiles: ['.netrc'] }],
  maven: [{ id: 'maven_settings', target: '/root/.m2/settings.xml', description: 'Maven repositories, mirrors and credentials', example: '$HOME/.m2/settings.xml', contextFiles: ['.m2/settings.xml', 'settings-security.xml'] }],
  gradle: [{ id: 'gradle_properties', target: '/root/.gradle/gradle.properties', description: 'Gradle repository credentials', example: '$HOME/.gradle/gradle.properties', contextFiles: ['gradle.properties'] }],
} as const satisfies Record<string, readonly BuildSecret[]>;

export type Ecosystem = keyof typeof REGISTRY_SECRETS;

/** `.dockerignore` patterns (any depth) for an ecosystem's registry credential files. */
export function registrySecretFiles(ecosystem: Ecosystem): string[] {
  return REGISTRY_SECRETS[ecosystem].flatMap((s) => s.contextFiles.map((f) => `**/${f}`));
}

/**
 * The template context of a family's build steps: `buildSecrets` (the mounts, CA first) for the
 * `toolchain-secret-mounts` partial and the header's `toolchain-secrets-help`, `caTrust` for the
 * `toolchain-ca-trust` partial, `caTrustCleanup` for after the command.
 */
export function buildSecretsContext(toolchain: Toolchain, ecosystem: Ecosystem): Record<string, unknown> {
  const trust: CaTrust = CA_TRUST[toolchain];
  return {
    buildSecrets: [CA_SECRET, ...REGISTRY_SECRETS[ecosystem]]
      .map((s) => ({ id: s.id, target: s.target, description: s.description, example: s.example })),
    caTrust: caTrustCommand(trust),
    caTrustCleanup: trust.cleanup,
  };
}
