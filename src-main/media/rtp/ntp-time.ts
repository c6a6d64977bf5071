/**
 * NTP timestamps as RTCP uses them (RFC 3550 §4): 64 bits, seconds since 1 January 1900 in the high
 * 32 bits and the fraction of a second in the low 32; report blocks carry the "middle 32 bits" (16.16
 * fixed point) in LSR, and DLSR in the same 1/65536-second unit.
 */

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (the Unix epoch). */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

/** Units of the compact (16.16) format per millisecond. */
export const COMPACT_NTP_UNITS_PER_MS = 65.536;

/** The 64-bit NTP timestamp of a wall-clock time in ms since the Unix epoch. */
export function ntpFromUnixMs(unixMs: number): bigint {
  const seconds = Math.floor(unixMs / 1000);
  const fraction = Math.floor(((unixMs - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds + NTP_UNIX_OFFSET_SECONDS) << 32n) | BigInt(fraction);
}

/** §6.4.1 LSR: "the middle 32 bits out of 64 in the NTP timestamp". */
export function compactNtp(ntp: bigint): number {
  return Number((ntp >> 16n) & 0xffffffffn);
}

/** A duration in ms as compact NTP units (DLSR), rounded, within 32 bits. */
export function compactFromMs(ms: number): number {
  return Math.min(0xffffffff, Math.max(0, Math.round(ms * COMPACT_NTP_UNITS_PER_MS)));
}

/**
 * §6.4.1 round-trip time from a report block received at compact NTP time `arrival`:
 *
 *     RTT = A − LSR − DLSR        (all in 1/65536 s, modulo 2^32)
 *
 * Undefined when the block carries no LSR (the peer has had no SR from us yet) or the result is
 * negative (clock steps, a corrupt block).
 */
export function roundTripMs(arrival: number, lsr: number, dlsr: number): number | undefined {
  if (lsr === 0) return undefined;
  const units = (arrival - lsr - dlsr) >>> 0;
  if (units >= 0x80000000) return undefined;
  return units / COMPACT_NTP_UNITS_PER_MS;
}
