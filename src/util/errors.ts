/**
 * A mistake the user can fix (bad file, bad flag, missing driver). The CLI prints only the
 * message — never a stack trace — and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}

/** An input file is malformed: names the file and the position, says what was expected. */
export class FormatError extends UserError {
  constructor(readonly file: string, readonly position: string, what: string) {
    super(`${file}: ${position}: ${what}`);
    this.name = 'FormatError';
  }
}
