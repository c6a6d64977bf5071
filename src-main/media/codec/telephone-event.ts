/**
 * RFC 4733 telephone-event payload (§2.3):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     event     |E|R| volume    |          duration             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * and the DTMF event codes of RFC 4733 §3.2 (Table 7): 0–9, * = 10, # = 11, A–D = 12–15, flash = 16.
 */

export const TELEPHONE_EVENT_PAYLOAD_BYTES = 4;
/** The duration field is 16 bits of RTP timestamp units (§2.3.5). */
export const MAX_EVENT_DURATION = 0xffff;
/** Volume is 0…63, the power level in −dBm0 (§2.3.4). */
export const MAX_EVENT_VOLUME = 63;

export interface TelephoneEvent {
  /** Event code 0…255 (§2.3.1). */
  event: number;
  /** E bit: this packet reports the end of the event (§2.3.2). */
  end: boolean;
  /** Power level 0…63, in −dBm0 (§2.3.4); 0 for events without a volume. */
  volume: number;
  /** Duration of the event so far, in RTP timestamp units (§2.3.5). */
  duration: number;
}

export type TelephoneEventDecodeResult =
  { ok: true; value: TelephoneEvent } | { ok: false; error: 'too-short' };

/** Encodes one event report. Out-of-range fields are caller bugs and throw. */
export function encodeTelephoneEvent(report: TelephoneEvent): Uint8Array {
  checkField('event', report.event, 255);
  checkField('volume', report.volume, MAX_EVENT_VOLUME);
  checkField('duration', report.duration, MAX_EVENT_DURATION);
  const out = new Uint8Array(TELEPHONE_EVENT_PAYLOAD_BYTES);
  out[0] = report.event;
  // §2.3.3: the R bit is reserved, "MUST be set to 0 by the sender".
  out[1] = (report.end ? 0x80 : 0) | report.volume;
  out[2] = report.duration >> 8;
  out[3] = report.duration & 0xff;
  return out;
}

/**
 * Decodes the first event report of a payload. §2.3.3: the R bit "MUST be ignored by the receiver";
 * octets beyond the first report are ignored too.
 */
export function decodeTelephoneEvent(payload: Uint8Array): TelephoneEventDecodeResult {
  if (payload.length < TELEPHONE_EVENT_PAYLOAD_BYTES) return { ok: false, error: 'too-short' };
  const flags = payload[1]!;
  return {
    ok: true,
    value: {
      event: payload[0]!,
      end: (flags & 0x80) !== 0,
      volume: flags & 0x3f,
      duration: (payload[2]! << 8) | payload[3]!,
    },
  };
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`telephone-event ${name} ${value} is outside 0…${max}`);
  }
}

// ───────────────────────────── DTMF keys ─────────────────────────────

export type DtmfDigit =
  '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** A key a telephone-event can carry: the 16 DTMF digits and hook flash. */
export type DtmfKey = DtmfDigit | 'flash';

/** RFC 4733 §3.2 Table 7, indexed by event code. */
// prettier-ignore
const KEYS_BY_EVENT: readonly DtmfKey[] = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D', 'flash',
];

export function isDtmfKey(value: string): value is DtmfKey {
  return (KEYS_BY_EVENT as readonly string[]).includes(value);
}

/** Event code of a key (case-insensitive for A–D is the caller's job: 'a' is not a key). */
export function eventCodeOfKey(key: DtmfKey): number {
  return KEYS_BY_EVENT.indexOf(key);
}

/** The key an event code stands for, or undefined for codes that are not DTMF (e.g. fax tones). */
export function keyOfEventCode(event: number): DtmfKey | undefined {
  return KEYS_BY_EVENT[event];
}
