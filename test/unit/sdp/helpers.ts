import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { parseSdp } from '../../../src-main/sdp/index.ts';
import type { SessionDescription } from '../../../src-main/sdp/index.ts';

/** Lines joined with CRLF and a final CRLF, as SDP is sent. */
export function crlf(...lines: string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

/** Same text with CRLF line endings (from LF or CRLF input). */
export function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** Parses and fails the test with the problem if the description does not parse. */
export function sdp(text: string): SessionDescription {
  const r = parseSdp(text);
  if (!r.ok) expect.fail(`line ${r.error.line} "${r.error.content}": ${r.error.reason}`);
  return r.sdp;
}

export function fixture(name: string): string {
  return readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
}
