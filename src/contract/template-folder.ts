/** Template folders, as the definition and the org templates name them. */

/** A folder of templates and where it came from (for error messages and provenance). */
export interface TemplateFolder {
  /** Absolute path of the folder that holds `*.hbs` and `partials/*.hbs`. */
  readonly dir: string;
  /** Human-readable origin, e.g. `built-in`, `@acme/msb-template@2.1.0`. */
  readonly source: string;
}
