/**
 * A runtime family (Node.js today; Python, Go and Java next): everything language-specific, behind
 * one interface. The app model, the Kubernetes component, the hand-edit guard, the org templates and
 * the CLI flow never name a language; they ask the family. A family is one folder under
 * src/families/<name>/ plus its catalog data, registered in src/families/index.ts.
 *
 * The shape below is the starting contract; the model side is refined where the App is restructured.
 */
import type { FamilyCli } from './family-cli';

export interface RuntimeFamily {
  /** The `runtime.family` value that selects this family, e.g. `node`. */
  readonly name: string;
  /** The CLI side: detection, adoption inference, new-project scaffold. */
  readonly cli?: FamilyCli;
}
