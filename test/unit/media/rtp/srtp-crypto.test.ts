/**
 * RFC 3711 Appendix B test vectors through our SRTP primitives: B.2 (the AES-CM keystream, with the IV
 * built by `srtpIv` from the session salt, SSRC 0 and index 0) and B.3 (the key derivation).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AesCm,
  HmacSha1,
  SRTP_MASTER_KEY_SALT_BYTES,
  SrtpKeyLabel,
  aesCmKeystream,
  deriveSessionKeys,
  deriveSrtpKey,
  newSrtpMasterKey,
  srtpIv,
} from '../../../../src-main/media/rtp/index.ts';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const upper = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describe('RFC 3711 B.2: AES-CM keystream', () => {
  const sessionKey = hex('2B7E151628AED2A6ABF7158809CF4F3C');
  const sessionSalt = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD');

  it('builds the IV from salt, SSRC 0 and index 0 as the table\u2019s first counter', () => {
    expect(upper(srtpIv(sessionSalt, 0, 0))).toBe('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000');
  });

  it('produces the tabulated keystream at the start and at the end of the 1,044,512-octet segment', () => {
    const keystream = aesCmKeystream(sessionKey, srtpIv(sessionSalt, 0, 0), 1_044_512);
    const block = (n: number): string => upper(keystream.subarray(n * 16, n * 16 + 16));
    expect(block(0)).toBe('E03EAD0935C95E80E166B16DD92B4EB4');
    expect(block(1)).toBe('D23513162B02D0F72A43A2FE4A5F97AB');
    expect(block(2)).toBe('41E95B3BB0A2E8DD477901E4FCA894C0');
    expect(block(0xfeff)).toBe('EC8CDF7398607CB0F2D21675EA9EA1E4');
    expect(block(0xff00)).toBe('362B7C3C6773516318A077D7FC5073AE');
    expect(block(0xff01)).toBe('6A2CC3787889374FBEB4C81B17BA6C44');
    expect(keystream.length / 16).toBe(65_282);
  });

  it('puts SSRC and index where \u00a74.1.1 says: SSRC * 2^64, index * 2^16', () => {
    const zero = Buffer.alloc(14);
    expect(upper(srtpIv(zero, 0xdecafbad, 0))).toBe('00000000DECAFBAD0000000000000000');
    expect(upper(srtpIv(zero, 0, 0x123456789abc))).toBe('0000000000000000123456789ABC0000');
    expect(upper(srtpIv(sessionSalt, 0xffffffff, 2 ** 48 - 1))).toBe('F0F1F2F30B0A0908070605040302' + '0000');
  });
});

describe('AesCm and HmacSha1: keyed once, used per packet', () => {
  it('AesCm equals AES-128-CTR, also where the counter carries past 16, 64 and 128 bits', () => {
    const key = randomBytes(16);
    const ivs = [
      randomBytes(16),
      hex('00000000000000000000000000fffff0'),
      hex('0000000000000000fffffffffffffffe'),
      hex('fffffffffffffffffffffffffffffffe'),
    ];
    const cipher = new AesCm(key);
    for (const iv of ivs) {
      for (const length of [0, 1, 15, 16, 17, 172, 1500]) {
        const data = randomBytes(length);
        const ctr = createCipheriv('aes-128-ctr', key, iv);
        const expected = Buffer.concat([ctr.update(data), ctr.final()]);
        expect(upper(cipher.apply(iv, data)), `${upper(iv)} / ${length}`).toBe(upper(expected));
      }
    }
  });

  it('HmacSha1 gives the RFC 2202 vectors, truncated as asked, and the same tag on every use', () => {
    const mac = new HmacSha1(Buffer.alloc(20, 0x0b));
    const hiThere = Buffer.from('Hi There');
    expect(upper(mac.tag([hiThere], 20))).toBe('B617318655057264E28BC0B6FB378C8EF146BE00');
    expect(upper(mac.tag([hiThere.subarray(0, 3), hiThere.subarray(3)], 10))).toBe('B617318655057264E28B');
    // RFC 2202 test case 6: a key longer than the 64-octet block is hashed first.
    const long = new HmacSha1(Buffer.alloc(80, 0xaa));
    expect(upper(long.tag([Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')], 20))).toBe(
      'AA4AE5E15272D00E95705637CE8A3B55ED402112',
    );
  });
});

describe('RFC 3711 B.3: key derivation', () => {
  const masterKey = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
  const masterSalt = hex('0EC675AD498AFEEBB6960B3AABE6');

  it('derives the cipher key, cipher salt and the 94-octet auth key of the appendix', () => {
    expect(upper(deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel.rtpEncryption, 16))).toBe(
      'C61E7A93744F39EE10734AFE3FF7A087',
    );
    expect(upper(deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel.rtpSalt, 14))).toBe(
      '30CBBC08863D8C85D49DB34A9AE1',
    );
    expect(upper(deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel.rtpAuthentication, 94))).toBe(
      [
        'CEBE321F6FF7716B6FD4AB49AF256A15',
        '6D38BAA48F0A0ACF3C34E2359E6CDBCE',
        'E049646C43D9327AD175578EF7227098',
        '6371C10C9A369AC2F94A8C5FBCDDDC25',
        '6D6E919A48B610EF17C2041E47403576',
        '6B68642C59BBFC2F34DB60DBDFB2',
      ].join(''),
    );
  });

  it('gives a suite its six session keys (the auth keys are the first 160 bits)', () => {
    const keys = deriveSessionKeys('AES_CM_128_HMAC_SHA1_80', Buffer.concat([masterKey, masterSalt]));
    expect(upper(keys.rtp.cipherKey)).toBe('C61E7A93744F39EE10734AFE3FF7A087');
    expect(upper(keys.rtp.cipherSalt)).toBe('30CBBC08863D8C85D49DB34A9AE1');
    expect(upper(keys.rtp.authKey)).toBe('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
    // SRTCP uses labels 3, 4, 5 (\u00a74.3.2): other keys from the same master.
    expect(keys.rtcp.cipherKey).toEqual(
      deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel.rtcpEncryption, 16),
    );
    expect(keys.rtcp.cipherKey.equals(keys.rtp.cipherKey)).toBe(false);
    expect(keys.rtcp.authKey).toHaveLength(20);
    expect(keys.rtcp.cipherSalt).toHaveLength(14);
  });

  it('refuses a master key||salt of the wrong length', () => {
    expect(() => deriveSessionKeys('AES_CM_128_HMAC_SHA1_32', Buffer.alloc(29))).toThrow(/30 octets/);
    expect(() => deriveSrtpKey(masterKey, Buffer.alloc(12), 0, 16)).toThrow(/14 octets/);
  });
});

describe('newSrtpMasterKey', () => {
  it('takes 30 octets from the random source', () => {
    const asked: number[] = [];
    const key = newSrtpMasterKey('AES_CM_128_HMAC_SHA1_80', (n) => {
      asked.push(n);
      return Buffer.alloc(n, 7);
    });
    expect(asked).toEqual([SRTP_MASTER_KEY_SALT_BYTES]);
    expect(key).toEqual(Buffer.alloc(30, 7));
  });

  it('draws different keys from node:crypto by default', () => {
    const a = newSrtpMasterKey('AES_CM_128_HMAC_SHA1_80');
    const b = newSrtpMasterKey('AES_CM_128_HMAC_SHA1_80');
    expect(a).toHaveLength(30);
    expect(Buffer.from(a).equals(b)).toBe(false);
  });

  it('refuses a random source that comes back short', () => {
    expect(() => newSrtpMasterKey('AES_CM_128_HMAC_SHA1_80', () => new Uint8Array(16))).toThrow(/too few/);
  });
});
