/**
 * CLI output. In `--json` mode every line on stdout is one JSON object (events as they happen, then one
 * final `result` or `error`), so scripts and tests can consume it line by line. Otherwise plain words.
 */
export interface CliOutput {
  readonly json: boolean;
  /** One event (JSON line, or its `text` for humans when given). */
  event(type: string, fields: Record<string, unknown>, text?: string): void;
  /** The command's final value. */
  result(value: unknown, text?: string): void;
  /** A failure the user should read; JSON mode prints `{type:"error",code,message}`. */
  error(code: string, message: string): void;
  /** Human-only information (suppressed in JSON mode). */
  info(text: string): void;
  /** Text on stdout exactly as given, in either mode (a file format such as CSV or vCard). */
  raw(text: string): void;
}

export interface Writable {
  write(chunk: string): unknown;
}

export function createOutput(json: boolean, stdout: Writable, stderr: Writable): CliOutput {
  const line = (obj: Record<string, unknown>) => stdout.write(`${JSON.stringify(obj)}\n`);
  return {
    json,
    event(type, fields, text) {
      if (json) line({ type, ...fields });
      else if (text !== undefined) stdout.write(`${text}\n`);
    },
    result(value, text) {
      if (json) line({ type: 'result', ok: true, value });
      else if (text !== undefined) stdout.write(`${text}\n`);
      else if (value !== undefined)
        stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
    },
    error(code, message) {
      if (json) line({ type: 'error', ok: false, code, message });
      else stderr.write(`softphone: ${message}\n`);
    },
    info(text) {
      if (!json) stdout.write(`${text}\n`);
    },
    raw(text) {
      stdout.write(text);
    },
  };
}
