/**
 * The third-party actions the generated GitHub workflow uses, each pinned to the full commit of a
 * release tag (a tag can be moved, a commit cannot); the version is written next to it. Checked
 * against the actions' repositories: the commit each release tag points at.
 */

/** An action pinned to a commit. */
export interface PinnedAction {
  readonly repo: string;
  readonly commit: string;
  readonly version: string;
}

function pin(repo: string, commit: string, version: string): PinnedAction {
  return { repo, commit, version };
}

export const ACTIONS = {
  checkout: pin('actions/checkout', '3d3c42e5aac5ba805825da76410c181273ba90b1', 'v7.0.1'),
  setupNode: pin('actions/setup-node', '820762786026740c76f36085b0efc47a31fe5020', 'v7.0.0'),
  setupGo: pin('actions/setup-go', 'b7ad1dad31e06c5925ef5d2fc7ad053ef454303e', 'v7.0.0'),
  setupPython: pin('actions/setup-python', '5fda3b95a4ea91299a34e894583c3862153e4b97', 'v7.0.0'),
  setupJava: pin('actions/setup-java', 'b6effb05e454b25005698d916606bdc6ffcbf961', 'v5.7.0'),
  setupQemu: pin('docker/setup-qemu-action', '96fe6ef7f33517b61c61be40b68a1882f3264fb8', 'v4.2.0'),
  setupBuildx: pin('docker/setup-buildx-action', '37fe631027851001ddb9b187196cc803df7f5f0e', 'v4.3.0'),
  login: pin('docker/login-action', '4907a6ddec9925e35a0a9e82d7399ccc52663121', 'v4.1.0'),
  metadata: pin('docker/metadata-action', 'dc802804100637a589fabce1cb79ff13a1411302', 'v6.2.0'),
  buildPush: pin('docker/build-push-action', '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a', 'v7.3.0'),
  cosignInstaller: pin('sigstore/cosign-installer', '6f9f17788090df1f26f669e9d70d6ae9567deba6', 'v4.1.2'),
  uploadArtifact: pin('actions/upload-artifact', 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', 'v7.0.0'),
} as const;

/** The `uses:` value of an action. */
export function uses(action: PinnedAction): string {
  return `${action.repo}@${action.commit}`;
}
