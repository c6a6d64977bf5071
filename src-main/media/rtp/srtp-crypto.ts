/**
 * The cryptographic pieces of SRTP (RFC 3711) for the SDES crypto-suites (RFC 4568 §6.2): AES in
 * counter mode (AES-CM, §4.1.1), the key derivation (§4.3) and HMAC-SHA1 (§4.2.1), on node:crypto.
 *
 * Why not werift's `SrtpSession`/`SrtcpSession`: werift 0.25 knows AES_CM_128_HMAC_SHA1_80 and
 * AEAD_AES_128_GCM only (its tag length is fixed at 10 octets, so SDES's AES_CM_128_HMAC_SHA1_32 —
 * which Asterisk, FreeSWITCH and many phones offer — is missing); it has no replay protection for SRTP
 * or SRTCP (§3.3.2); its rollover counter is a heuristic rather than the index estimate of §3.3.1; and an
 * authentication failure is an exception. The transform is small, so it lives here, and werift serves as
 * a second, independent implementation in the tests (its AES_CM_128_HMAC_SHA1_80 packets decrypt here
 * and ours there).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import type { Cipheriv, Hash } from 'node:crypto';

/** The SDES crypto-suites we implement (RFC 4568 §6.2.1, §6.2.2), most preferred first. */
export const SRTP_SUITES = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as const;
export type SrtpSuite = (typeof SRTP_SUITES)[number];

export interface SrtpSuiteParameters {
  /** Master key octets (AES-128). */
  readonly keyBytes: number;
  /** Master salt octets (112 bits). */
  readonly saltBytes: number;
  /** SRTP authentication tag octets. */
  readonly rtpTagBytes: number;
  /**
   * SRTCP authentication tag octets. RFC 4568 §6.2.2: AES_CM_128_HMAC_SHA1_32 has "a 32-bit
   * authentication tag" for SRTP, while SRTCP keeps the 80-bit tag of RFC 3711 §5.2.
   */
  readonly rtcpTagBytes: number;
}

export const SRTP_SUITE_PARAMETERS: Readonly<Record<SrtpSuite, SrtpSuiteParameters>> = {
  AES_CM_128_HMAC_SHA1_80: { keyBytes: 16, saltBytes: 14, rtpTagBytes: 10, rtcpTagBytes: 10 },
  AES_CM_128_HMAC_SHA1_32: { keyBytes: 16, saltBytes: 14, rtpTagBytes: 4, rtcpTagBytes: 10 },
};

/** Master key || master salt, as SDES carries it (`inline:`, RFC 4568 §6.1): 30 octets for both suites. */
export const SRTP_MASTER_KEY_SALT_BYTES = 30;

/**
 * A fresh master key||salt for `suite` from the platform's cryptographic random source (a master key
 * must be random and secret, RFC 3711 §8; SDES sends it in the SDP, RFC 4568 §6.1). `random` is for tests.
 */
export function newSrtpMasterKey(
  suite: SrtpSuite,
  random: (count: number) => Uint8Array = randomBytes,
): Uint8Array {
  const p = SRTP_SUITE_PARAMETERS[suite];
  const key = random(p.keyBytes + p.saltBytes);
  if (key.length !== p.keyBytes + p.saltBytes)
    throw new RangeError('the random source returned too few octets');
  return key;
}

export function isSrtpSuite(name: string): name is SrtpSuite {
  return (SRTP_SUITES as readonly string[]).includes(name);
}

/** Key derivation labels (RFC 3711 §4.3.1 and §4.3.2). */
export const SrtpKeyLabel = {
  rtpEncryption: 0x00,
  rtpAuthentication: 0x01,
  rtpSalt: 0x02,
  rtcpEncryption: 0x03,
  rtcpAuthentication: 0x04,
  rtcpSalt: 0x05,
} as const;
export type SrtpKeyLabel = (typeof SrtpKeyLabel)[keyof typeof SrtpKeyLabel];

/** `length` octets of AES-CM keystream (the AES encryption of iv, iv+1, … mod 2^128) under `key`. */
export function aesCmKeystream(key: Uint8Array, iv: Uint8Array, length: number): Buffer {
  return aesCm(key, iv, Buffer.alloc(length));
}

/** AES-CM over `data` (encryption and decryption are the same XOR with the keystream). */
export function aesCm(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  return new AesCm(key).apply(iv, data);
}

/**
 * AES-CM (§4.1.1) under one session key, with the AES key schedule made once: the counter blocks iv,
 * iv+1, … (mod 2^128) go through one long-lived AES-ECB cipher — each block independent, nothing buffered
 * without padding — instead of a new AES-CTR cipher per packet (a fifth of the cost for an audio packet).
 */
export class AesCm {
  readonly #ecb: Cipheriv;

  constructor(key: Uint8Array) {
    this.#ecb = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
    this.#ecb.setAutoPadding(false);
  }

  /** `data` XOR the keystream that starts at `iv`. */
  apply(iv: Uint8Array, data: Uint8Array): Buffer {
    const blocks = Math.ceil(data.length / 16);
    const counters = Buffer.allocUnsafe(blocks * 16);
    for (let b = 0; b < blocks; b++) {
      const at = b * 16;
      counters.set(iv.subarray(0, 16), at);
      // iv + b, big-endian, carrying across the whole 128 bits.
      let carry = b;
      for (let k = at + 15; k >= at && carry > 0; k--) {
        const sum = counters[k]! + (carry & 0xff);
        counters[k] = sum & 0xff;
        carry = Math.floor(carry / 256) + (sum >> 8);
      }
    }
    const keystream = this.#ecb.update(counters);
    const out = Buffer.allocUnsafe(data.length);
    for (let k = 0; k < data.length; k++) out[k] = data[k]! ^ keystream[k]!;
    return out;
  }
}

/**
 * One session key (RFC 3711 §4.3.1), with a key derivation rate of 0 — the SDES default; we refuse the
 * KDR session parameter (RFC 4568 §6.3.1) — so that "r = index DIV key_derivation_rate" is 0:
 *   key_id = label || r;  x = key_id XOR master_salt;  key = AES-CM(master_key, IV = x * 2^16)
 */
export function deriveSrtpKey(
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
  label: SrtpKeyLabel,
  length: number,
): Buffer {
  if (masterSalt.length !== 14) throw new RangeError('SRTP master salt must be 14 octets');
  const iv = Buffer.alloc(16);
  Buffer.from(masterSalt).copy(iv, 0);
  // key_id is 56 bits (8-bit label, 48-bit r = 0), aligned to the right of the 112-bit salt.
  iv[7] = iv[7]! ^ label;
  return aesCmKeystream(masterKey, iv, length);
}

/** The session keys of one direction of SRTP or SRTCP. */
export interface SrtpSessionKeys {
  readonly cipherKey: Buffer;
  readonly cipherSalt: Buffer;
  /** 160 bits for HMAC-SHA1 (RFC 3711 §4.2.1, n_a = 160). */
  readonly authKey: Buffer;
}

/** The SRTP and SRTCP session keys from one master key||salt of `suite`. */
export function deriveSessionKeys(
  suite: SrtpSuite,
  masterKeySalt: Uint8Array,
): { readonly rtp: SrtpSessionKeys; readonly rtcp: SrtpSessionKeys } {
  const p = SRTP_SUITE_PARAMETERS[suite];
  if (masterKeySalt.length !== p.keyBytes + p.saltBytes)
    throw new RangeError(`${suite} needs ${p.keyBytes + p.saltBytes} octets of master key and salt`);
  const key = masterKeySalt.subarray(0, p.keyBytes);
  const salt = masterKeySalt.subarray(p.keyBytes);
  const derive = (label: SrtpKeyLabel, length: number): Buffer => deriveSrtpKey(key, salt, label, length);
  return {
    rtp: {
      cipherKey: derive(SrtpKeyLabel.rtpEncryption, p.keyBytes),
      cipherSalt: derive(SrtpKeyLabel.rtpSalt, p.saltBytes),
      authKey: derive(SrtpKeyLabel.rtpAuthentication, 20),
    },
    rtcp: {
      cipherKey: derive(SrtpKeyLabel.rtcpEncryption, p.keyBytes),
      cipherSalt: derive(SrtpKeyLabel.rtcpSalt, p.saltBytes),
      authKey: derive(SrtpKeyLabel.rtcpAuthentication, 20),
    },
  };
}

/**
 * The AES-CM IV of one packet (RFC 3711 §4.1.1):
 *   IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)
 * `index` is the 48-bit SRTP packet index or the 31-bit SRTCP index.
 */
export function srtpIv(salt: Uint8Array, ssrc: number, index: number): Buffer {
  const iv = Buffer.alloc(16);
  Buffer.from(salt).copy(iv, 0);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  const high = Math.floor(index / 2 ** 32);
  iv.writeUInt16BE(iv.readUInt16BE(8) ^ high, 8);
  iv.writeUInt32BE((iv.readUInt32BE(10) ^ (index % 2 ** 32)) >>> 0, 10);
  return iv;
}

/** HMAC-SHA1 over the parts, truncated to `tagBytes` (RFC 3711 §4.2.1). */
export function hmacSha1Tag(authKey: Uint8Array, parts: readonly Uint8Array[], tagBytes: number): Buffer {
  return new HmacSha1(authKey).tag(parts, tagBytes);
}

const SHA1_BLOCK_BYTES = 64;

/**
 * HMAC-SHA1 (RFC 2104) under one session key, with the keyed inner and outer hash states computed once
 * and copied per packet rather than re-keying an HMAC for every packet.
 */
export class HmacSha1 {
  readonly #inner: Hash;
  readonly #outer: Hash;

  constructor(key: Uint8Array) {
    const k = key.length > SHA1_BLOCK_BYTES ? createHash('sha1').update(key).digest() : key;
    const ipad = Buffer.alloc(SHA1_BLOCK_BYTES, 0x36);
    const opad = Buffer.alloc(SHA1_BLOCK_BYTES, 0x5c);
    for (let i = 0; i < k.length; i++) {
      ipad[i] = ipad[i]! ^ k[i]!;
      opad[i] = opad[i]! ^ k[i]!;
    }
    this.#inner = createHash('sha1').update(ipad);
    this.#outer = createHash('sha1').update(opad);
  }

  /** The tag over the concatenated parts, truncated to `tagBytes`. */
  tag(parts: readonly Uint8Array[], tagBytes: number): Buffer {
    const inner = this.#inner.copy();
    for (const part of parts) inner.update(part);
    return this.#outer.copy().update(inner.digest()).digest().subarray(0, tagBytes);
  }
}

/** One session key set ready for packets: the cipher and the authenticator keyed once. */
export interface SrtpTransform {
  readonly cipher: AesCm;
  readonly salt: Buffer;
  readonly auth: HmacSha1;
}

export function srtpTransform(keys: SrtpSessionKeys): SrtpTransform {
  return { cipher: new AesCm(keys.cipherKey), salt: keys.cipherSalt, auth: new HmacSha1(keys.authKey) };
}
