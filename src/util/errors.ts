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

/**
 * Text from a file, safe to show in a message: control and non-ASCII bytes as \xNN, cut to
 * `max` characters — a binary file never lands on the terminal.
 */
export function printable(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0').slice(-2)}`);
}

/** Errors a decoder raises on bytes it did not expect: out-of-range reads, bad inflate streams, deep recursion. */
function isDecodeFailure(e: unknown): e is Error {
  if (!(e instanceof Error) || e instanceof UserError) return false;
  const code = (e as { code?: unknown }).code;
  return e instanceof RangeError || e instanceof TypeError || e instanceof SyntaxError
    || (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR_BUFFER') || code === 'ERR_STRING_TOO_LONG' || code === 'ERR_OUT_OF_RANGE'));
}

/**
 * The shared decode-error path: runs a reader and turns what a malformed file makes it throw
 * (a RangeError from a DataView past the end, a zlib error, a stack overflow) into a FormatError
 * naming the file — a reader can miss a check, but never leak a stack trace.
 */
export function decoding<T>(file: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (isDecodeFailure(e)) {
      const tooBig = (e as { code?: string }).code === 'ERR_STRING_TOO_LONG' || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      throw new FormatError(file, what, tooBig ? `too large to read whole (${printable(e.message, 120)})` : `malformed or truncated (${printable(e.message, 120)})`);
    }
    throw e;
  }
}
