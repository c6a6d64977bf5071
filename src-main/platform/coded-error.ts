/** An Error carrying a Node-style `code` (EADDRINUSE, ETIMEDOUT, ENOTFOUND…), as Node's own errors do. */
export type CodedError = Error & { code: string };

export function codedError(code: string, message: string): CodedError {
  const error = new Error(`${message} (${code})`) as CodedError;
  error.code = code;
  return error;
}

/** Whatever was thrown or emitted, as an Error (Node may hand us non-Errors in odd corners). */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
