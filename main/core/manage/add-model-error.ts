// The one error of adding or adopting a model: a code the API and CLI can act on, the field it concerns, and a sentence.

/** Why a model could not be added. */
export type AddModelErrorCode =
  | 'invalid'
  | 'unknown-template'
  | 'name-taken'
  | 'port-taken'
  | 'cannot-fit'
  | 'image-missing'
  | 'pull-failed'
  | 'engine';

/** A model could not be added; nothing was left behind. */
export class AddModelError extends Error {
  constructor(
    readonly code: AddModelErrorCode,
    /** The request field at fault (`template`, `name`, `hostPort`, …), or null. */
    readonly field: string | null,
    message: string,
  ) {
    super(field === null ? message : `${field}: ${message}`);
    this.name = 'AddModelError';
  }
}
