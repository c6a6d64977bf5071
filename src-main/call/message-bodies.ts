/**
 * The small bodies calls carry besides SDP:
 *  - `message/sipfrag` (RFC 3420) in the NOTIFYs of a transfer (RFC 3515 §2.4.5): "the body of a NOTIFY
 *    MUST begin with a SIP Response Status-Line", e.g. `SIP/2.0 200 OK`;
 *  - `application/dtmf-relay` in SIP INFO (the de-facto format Cisco introduced and every PBX speaks):
 *    `Signal=5` and `Duration=160` lines (ms); `application/dtmf` carries just the key.
 * Pure functions: parse returns undefined for what it cannot read.
 */
import type { DtmfKey } from '../media/codec/index.ts';
import { isDtmfKey } from '../media/codec/index.ts';

export const SIPFRAG = 'message/sipfrag';
export const DTMF_RELAY = 'application/dtmf-relay';
export const DTMF_PLAIN = 'application/dtmf';

/** `SIP/2.0 <code> <phrase>` — the sipfrag of a transfer's progress. */
export function sipfragBody(status: number, phrase: string): string {
  return `SIP/2.0 ${status} ${phrase}\r\n`;
}

/** The status of a sipfrag's Status-Line, or undefined when it does not start with one. */
export function parseSipfragStatus(
  body: string,
): { readonly status: number; readonly phrase: string } | undefined {
  const line = body.split(/\r?\n/, 1)[0] ?? '';
  const m = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/.exec(line.trim());
  if (m === null) return undefined;
  return { status: Number(m[1]), phrase: (m[2] ?? '').trim() };
}

/** INFO body for one key: `Signal=<key>\r\nDuration=<ms>\r\n`. */
export function dtmfRelayBody(key: DtmfKey, durationMs: number): string {
  return `Signal=${key === 'flash' ? '16' : key}\r\nDuration=${Math.round(durationMs)}\r\n`;
}

/** The key (and duration) in an application/dtmf-relay or application/dtmf body. */
export function parseDtmfBody(
  contentType: string,
  body: string,
): { readonly key: DtmfKey; readonly durationMs: number | undefined } | undefined {
  const type = contentType.toLowerCase();
  if (type === DTMF_PLAIN) {
    const key = keyOf(body.trim());
    return key === undefined ? undefined : { key, durationMs: undefined };
  }
  if (type !== DTMF_RELAY) return undefined;
  let key: DtmfKey | undefined;
  let durationMs: number | undefined;
  for (const line of body.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z-]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (m === null) continue;
    const name = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? '';
    if (name === 'signal') key = keyOf(value);
    else if (name === 'duration' && /^\d{1,6}$/.test(value)) durationMs = Number(value);
  }
  return key === undefined ? undefined : { key, durationMs };
}

function keyOf(value: string): DtmfKey | undefined {
  if (value === '16') return 'flash';
  // Some senders use the RFC 4733 event codes 10 and 11 for * and #.
  if (value === '10') return '*';
  if (value === '11') return '#';
  const upper = value.toUpperCase();
  return isDtmfKey(upper) ? upper : undefined;
}
