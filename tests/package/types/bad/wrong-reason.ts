// expect: TS2367 "invalidOrganisation"
import { isRepairClaimsError } from 'repair-claims';
export function coveredElsewhere(error: unknown): boolean {
  return isRepairClaimsError(error) && error.reason === 'invalidOrganisation';
}
