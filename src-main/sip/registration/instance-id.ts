/**
 * The `+sip.instance` of an account (RFC 5626 §4.1): "a UA MUST [...] include the instance-id [...] The
 * instance-id MUST be persistent across power cycles of the device" — a URN that stays the same as long
 * as the account exists. We derive it from something stable the caller already keeps (the account id), as
 * an RFC 4122 §4.3 name-based UUID (version 5, SHA-1): no extra storage, the same on every start, and
 * nothing about the user or the machine can be read back from it.
 */
import { createHash } from 'node:crypto';

/** The namespace UUID of our instance ids (a random UUID fixed once for this application). */
const NAMESPACE = 'b3a1f0e2-5c4d-4e6f-9a8b-7c6d5e4f3a2b';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** `urn:uuid:<version-5 UUID of name>` — the same name always gives the same URN. */
export function instanceIdFor(name: string): string {
  const hash = createHash('sha1').update(uuidBytes(NAMESPACE)).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  // RFC 4122 §4.3: version 5 in the high nibble of octet 6, the variant 10xx in octet 8.
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
