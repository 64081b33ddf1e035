/**
 * The verify profiles of the runtime families, and the choice of one by the model's family.
 * The families supply the profiles (src/families/<name>/verify), loaded through the family table.
 */
import type { VerifyProfile } from '../contract/verify-profile';
import { loadVerifyProfiles } from '../families';
import { VerifyError } from './engine';

export { loadVerifyProfiles };

/** The profile of `family`; a {@link VerifyError} naming the families verify knows when there is none. */
export function selectVerifyProfile(family: string, profiles: readonly VerifyProfile[]): VerifyProfile {
  const found = profiles.find((p) => p.family === family);
  if (!found) {
    throw new VerifyError(`verify has no profile for the runtime family ${JSON.stringify(family)}; it knows ${profiles.map((p) => p.family).join(', ')}.`);
  }
  return found;
}
