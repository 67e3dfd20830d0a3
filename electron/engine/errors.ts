/**
 * Typed errors that surface unchanged to the CLI and UI. A RecxError is a *user* error (bad input,
 * missing file, refused overwrite): the CLI prints its message alone and exits 1. Anything else is
 * a bug and is printed with its stack.
 */
export class RecxError extends Error {
  override name = 'RecxError';
}

export interface FormatErrorDetails {
  /** Path of the offending file as the user gave it. */
  file: string;
  /** 1-based line number, when the problem is on one line. */
  line?: number;
  /** Column / field / JSON key that was wrong. */
  field?: string;
  /** What we expected to find, in words ("an integer timestamp"). */
  expected: string;
  /** What we found instead (shortened). */
  got?: string;
}

function shorten(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Bad content in an input file: names the file, line, field, and what was expected. */
export class DatasetFormatError extends RecxError {
  override name = 'DatasetFormatError';
  readonly details: FormatErrorDetails;
  constructor(details: FormatErrorDetails) {
    const where = details.line !== undefined ? `${details.file}:${details.line}` : details.file;
    const field = details.field !== undefined ? ` field "${details.field}":` : '';
    const got = details.got !== undefined ? `, got ${JSON.stringify(shorten(details.got))}` : '';
    super(`${where}:${field} expected ${details.expected}${got}`);
    this.details = details;
  }
}

/** A required input (file, folder, option) is missing or unusable. */
export class InputError extends RecxError {
  override name = 'InputError';
}

/** The input would not fit in memory under the configured limit. */
export class DatasetTooLargeError extends RecxError {
  override name = 'DatasetTooLargeError';
}
