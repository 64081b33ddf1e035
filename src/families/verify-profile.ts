/**
 * How `verify` checks an image of a family that it cannot run a language runtime in: the family says
 * which command prints the uid without a shell. Kept small; verify adds what it needs.
 */
export interface VerifyProfile {
  /** how to print the uid inside the image without a shell */
  readonly uidCommand?: string[];
}
