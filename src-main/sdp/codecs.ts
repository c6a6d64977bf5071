/**
 * What a payload format is, independent of the number it travels under: the RFC 3551 §6 static
 * payload types, and the RFC 3264 §6.1 rule for when two formats are "the same codec".
 */

/** An encoding as SDP names it: encoding name, RTP clock rate, channel count. */
export interface CodecDescriptor {
  readonly name: string;
  readonly clockRate: number;
  /** Audio channels; 1 when the rtpmap gives no encoding parameters. */
  readonly channels: number;
}

/**
 * RFC 3551 §6, Tables 4 and 5: the static payload types. A format with one of these numbers and no
 * rtpmap means this codec.
 */
export const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, CodecDescriptor> = new Map([
  [0, { name: 'PCMU', clockRate: 8000, channels: 1 }],
  [3, { name: 'GSM', clockRate: 8000, channels: 1 }],
  [4, { name: 'G723', clockRate: 8000, channels: 1 }],
  [5, { name: 'DVI4', clockRate: 8000, channels: 1 }],
  [6, { name: 'DVI4', clockRate: 16000, channels: 1 }],
  [7, { name: 'LPC', clockRate: 8000, channels: 1 }],
  [8, { name: 'PCMA', clockRate: 8000, channels: 1 }],
  // RFC 3551 §4.5.2: G722's RTP clock rate is 8000 although it samples at 16 kHz.
  [9, { name: 'G722', clockRate: 8000, channels: 1 }],
  [10, { name: 'L16', clockRate: 44100, channels: 2 }],
  [11, { name: 'L16', clockRate: 44100, channels: 1 }],
  [12, { name: 'QCELP', clockRate: 8000, channels: 1 }],
  [13, { name: 'CN', clockRate: 8000, channels: 1 }],
  [14, { name: 'MPA', clockRate: 90000, channels: 1 }],
  [15, { name: 'G728', clockRate: 8000, channels: 1 }],
  [16, { name: 'DVI4', clockRate: 11025, channels: 1 }],
  [17, { name: 'DVI4', clockRate: 22050, channels: 1 }],
  [18, { name: 'G729', clockRate: 8000, channels: 1 }],
  [25, { name: 'CelB', clockRate: 90000, channels: 1 }],
  [26, { name: 'JPEG', clockRate: 90000, channels: 1 }],
  [28, { name: 'nv', clockRate: 90000, channels: 1 }],
  [31, { name: 'H261', clockRate: 90000, channels: 1 }],
  [32, { name: 'MPV', clockRate: 90000, channels: 1 }],
  [33, { name: 'MP2T', clockRate: 90000, channels: 1 }],
  [34, { name: 'H263', clockRate: 90000, channels: 1 }],
]);

/** RFC 3551 §3: 96-127 are the dynamic range. */
export function isDynamicPayloadType(pt: number): boolean {
  return pt >= 96 && pt <= 127;
}

/**
 * Same codec when encoding name (case-insensitively — RFC 4855 §3: "encoding names are case
 * insensitive"), clock rate and channel count all match. Format parameters are not compared: the phone's
 * codecs (G.711, telephone-event) have none that change what is on the wire.
 */
export function sameCodec(a: CodecDescriptor, b: CodecDescriptor): boolean {
  return (
    a.name.toLowerCase() === b.name.toLowerCase() && a.clockRate === b.clockRate && a.channels === b.channels
  );
}

/** RFC 4733 §7.1.1 media type `telephone-event` (DTMF and other named events). */
export function isTelephoneEvent(codec: { readonly name: string }): boolean {
  return codec.name.toLowerCase() === 'telephone-event';
}

/** RFC 4733 §7.1.1: a telephone-event format without an `events` list is taken to mean DTMF 0-15. */
export const DEFAULT_TELEPHONE_EVENTS: readonly number[] = Array.from({ length: 16 }, (_, i) => i);
