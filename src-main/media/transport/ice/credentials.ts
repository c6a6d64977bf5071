/**
 * ICE credentials and the tie-breaker, and the logger type shared by the ICE pieces.
 *
 * RFC 8445 §5.3: the username fragment and password "MUST be randomly chosen … at least 24 bits of
 * randomness in the username fragment and at least 128 bits of randomness in the password".
 * RFC 8839 §5.4: ice-ufrag is 4–256 ice-chars, ice-pwd 22–256 ice-chars, ice-char = ALPHA / DIGIT /
 * "+" / "/" — exactly the base64 alphabet, so base64 of random bytes (without padding) is a valid value:
 * 6 bytes give an 8-character ufrag (48 bits), 18 bytes a 24-character password (144 bits).
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

export interface IceCredentials {
  readonly ufrag: string;
  readonly pwd: string;
}

/** A source of random bytes (tests inject a deterministic one). */
export type RandomBytes = (count: number) => Buffer;

export const defaultRandomBytes: RandomBytes = (count) => cryptoRandomBytes(count);

export function generateCredentials(randomBytes: RandomBytes = defaultRandomBytes): IceCredentials {
  return {
    ufrag: randomBytes(6).toString('base64'),
    pwd: randomBytes(18).toString('base64'),
  };
}

/** RFC 8445 §16.1: ICE-CONTROLLING/ICE-CONTROLLED carry "a 64-bit unsigned integer" tie-breaker. */
export function generateTieBreaker(randomBytes: RandomBytes = defaultRandomBytes): bigint {
  return randomBytes(8).readBigUInt64BE(0);
}

/** Uniform in [0, 1) from 48 random bits. */
export function randomFraction(randomBytes: RandomBytes = defaultRandomBytes): number {
  return randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
}

export type IceLogLevel = 'debug' | 'info' | 'warn';
export type IceLogger = (level: IceLogLevel, message: string) => void;
export const silentIceLogger: IceLogger = () => {};
