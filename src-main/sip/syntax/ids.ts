/**
 * Identifiers that must be unique and unguessable: Via branch (RFC 3261 §8.1.1.7: "The branch ID
 * inserted by an element compliant with this specification MUST always begin with the characters
 * 'z9hG4bK'"), From/To tags (§19.3: "at least 32 bits of randomness"), Call-ID (§8.1.1.4). All
 * come from the platform's cryptographic random source and are tokens (base64url alphabet).
 */
import { Buffer } from 'node:buffer';
import { isCallId } from './value-headers.ts';
import { BRANCH_MAGIC_COOKIE } from './via.ts';

/** Fills a buffer with random bytes; tests may pass a deterministic one. */
export type RandomBytes = (length: number) => Uint8Array;

const cryptoRandom: RandomBytes = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

function randomToken(bytes: number, random: RandomBytes): string {
  return Buffer.from(random(bytes)).toString('base64url');
}

/** "z9hG4bK" + 128 random bits. */
export function generateBranch(random: RandomBytes = cryptoRandom): string {
  return BRANCH_MAGIC_COOKIE + randomToken(16, random);
}

/** A From/To tag with 64 random bits. */
export function generateTag(random: RandomBytes = cryptoRandom): string {
  return randomToken(8, random);
}

/** A Call-ID with 128 random bits, optionally "@host" (host: word characters, e.g. a host name or IP). */
export function generateCallId(host?: string, random: RandomBytes = cryptoRandom): string {
  const id = randomToken(16, random);
  if (host === undefined) return id;
  const callId = `${id}@${host}`;
  if (!isCallId(callId)) throw new Error(`generateCallId: invalid host ${JSON.stringify(host)}`);
  return callId;
}
