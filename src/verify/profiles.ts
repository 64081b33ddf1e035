/**
 * The verify profiles of the runtime families, and the choice of one by the model's family.
 * The families supply the profiles (src/families/<name>/verify), through the family table.
 */
import { VerifyError } from './engine';
import { FAMILIES } from '../families';
import type { VerifyProfile } from '../families/verify-profile';

/** Every family's verify profile. */
export const VERIFY_PROFILES: readonly VerifyProfile[] = Object.values(FAMILIES).map((f) => f.verify);

/** The profile of `family`; a {@link VerifyError} naming the families verify knows when there is none. */
export function selectVerifyProfile(family: string, profiles: readonly VerifyProfile[] = VERIFY_PROFILES): VerifyProfile {
  const found = profiles.find((p) => p.family === family);
  if (!found) {
    throw new VerifyError(`verify has no profile for the runtime family ${JSON.stringify(family)}; it knows ${profiles.map((p) => p.family).join(', ')}.`);
  }
  return found;
}
