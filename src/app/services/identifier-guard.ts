/**
 * Identifiers people choose (a token's name, an approval's approver, package and dependency path)
 * are stored, listed and shown as given: a marker such as [REDACTED:github_token] is no name, so
 * one the ledger's redactor would change is refused rather than stored redacted. The one check for
 * all of them, so the rule cannot drift between fields.
 */
import { validationError } from '../../core/errors.js';
import type { AuditService } from './audit.js';

export interface IdentifierRule {
  /**
   * `refuse`: personal data (an e-mail address) is refused too (token names, shown in lists and as
   * `token:<name>` in the audit log). `keep`: it is the point of the field (an approver is often an
   * e-mail address, which must stay readable); only secrets are refused.
   */
  personalData: 'refuse' | 'keep';
  /** Why the field must stay readable, appended to the refusal. */
  why: string;
}

/** Throws validation_failed naming `field` when `value` holds what the redactor would hide. */
export function refuseRedactableIdentifier(
  audit: AuditService,
  field: string,
  value: string,
  rule: IdentifierRule,
): void {
  if (rule.personalData === 'refuse') {
    if (audit.redactFreeText(value) !== value)
      throw validationError(
        field,
        `looks like a secret or personal data (a token, an e-mail address); ${rule.why}`,
      );
  } else if (audit.holdsSecret(value)) {
    throw validationError(field, `looks like a secret (a token, a password assignment); ${rule.why}`);
  }
}
