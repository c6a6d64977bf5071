/**
 * RTP sequence numbers (16 bits) and timestamps (32 bits) wrap around. Receivers extend them to
 * unbounded integers (RFC 3550 §A.1 keeps a wrap count for the sequence number; the same idea applies
 * to timestamps) by taking the shortest signed distance from a reference value that is already extended.
 * JavaScript numbers hold integers exactly up to 2^53, i.e. centuries of timestamps at 48 kHz.
 */

/** Extends a 16-bit sequence number to the value closest to `reference` (an extended number). */
export function extendSequence(seq: number, reference: number): number {
  const delta = (((seq - reference) % 0x10000) + 0x10000) % 0x10000;
  return reference + (delta >= 0x8000 ? delta - 0x10000 : delta);
}

/** Extends a 32-bit timestamp to the value closest to `reference` (an extended number). */
export function extendTimestamp(timestamp: number, reference: number): number {
  const delta = (((timestamp - reference) % 0x100000000) + 0x100000000) % 0x100000000;
  return reference + (delta >= 0x80000000 ? delta - 0x100000000 : delta);
}
