/** What the Node.js verify profile reads from package.json and the model, shared by its checks and its single-stage Dockerfile. */
import type { FamilyFacts } from '../../../contract/verify-profile';
import type { PackageManagerSpec } from '../package-managers';

/** What the Node.js profile reads from package.json and the model. */
export interface NodeVerifyFacts extends FamilyFacts {
  readonly packageManager: PackageManagerSpec;
  /** devDependencies that are not also production dependencies, sorted. */
  readonly devDependencies: readonly string[];
}
