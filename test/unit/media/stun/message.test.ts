import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  StunAttributeType,
  StunMethod,
  computeFingerprint,
  computeMessageIntegrity,
  decodeStunMessage,
  encodeStunMessage,
  longTermKey,
  messageType,
  saslPrep,
  shortTermKey,
  verifyMessageIntegrity,
} from '../../../../src-main/media/stun/index.ts';
import type { DecodedStunMessage, StunAttributes } from '../../../../src-main/media/stun/index.ts';

interface VectorAttribute {
  type: string;
  name: string;
  length: number;
  offset: number;
  valueHex: string;
  paddingHex?: string;
}
interface Vector {
  id: string;
  section: string;
  hex: string;
  messageType: string;
  transactionIdHex: string;
  attributes: VectorAttribute[];
  credentials: {
    kind: 'short-term' | 'long-term';
    password?: string;
    passwordAsGiven?: string;
    passwordAfterSASLprep?: string;
    username?: string;
    realm?: string;
    keyHex: string;
  };
  expected: Record<string, unknown> & { messageIntegrityHex: string; fingerprintHex?: string | null };
}

const VECTORS_PATH = path.resolve(
  import.meta.dirname,
  '../../../../../shared/testdata/stun-vectors/rfc5769.json',
);
const vectors = (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as { vectors: Vector[] }).vectors;
const byId = (id: string): Vector => {
  const v = vectors.find((x) => x.id === id);
  if (!v) throw new Error(`no vector ${id}`);
  return v;
};

function keyOf(v: Vector): Buffer {
  const c = v.credentials;
  return c.kind === 'short-term'
    ? shortTermKey(c.password ?? '')
    : longTermKey(c.username ?? '', c.realm ?? '', c.passwordAsGiven ?? '');
}

function decoded(hex: string): DecodedStunMessage {
  const result = decodeStunMessage(Buffer.from(hex, 'hex'));
  if (!result.ok) throw new Error(`did not decode: ${result.reason}`);
  return result.message;
}

describe('RFC 5769 test vectors through our codec (werift Message, wrapped)', () => {
  it('has the four vectors of sections 2.1–2.4', () => {
    expect(vectors.map((v) => v.section)).toEqual(['2.1', '2.2', '2.3', '2.4']);
  });

  it('2.1 sample request decodes with every attribute value', () => {
    const v = byId('sample-request');
    const m = decoded(v.hex);
    expect(m.messageClass).toBe('request');
    expect(m.method).toBe(StunMethod.binding);
    expect(m.transactionId.toString('hex')).toBe(v.transactionIdHex);
    expect(m.attributes).toEqual({
      software: 'STUN test client',
      priority: 0x6e0001ff,
      iceControlled: 0x932ff9b151263b36n,
      username: 'evtj:h6vY',
    });
    expect(m.messageIntegrity?.toString('hex')).toBe(v.expected.messageIntegrityHex);
    expect(m.hasFingerprint).toBe(true);
    expect(m.unknownRequired).toEqual([]);
  });

  it('2.2 IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853', () => {
    const m = decoded(byId('ipv4-response').hex);
    expect(m.messageClass).toBe('success');
    expect(m.method).toBe(StunMethod.binding);
    expect(m.attributes).toEqual({
      software: 'test vector',
      xorMappedAddress: { address: '192.0.2.1', port: 32853, family: 4 },
    });
  });

  it('2.3 IPv6 response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853', () => {
    const m = decoded(byId('ipv6-response').hex);
    expect(m.attributes.xorMappedAddress).toEqual({
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
      family: 6,
    });
  });

  it('2.4 long-term request: USERNAME, NONCE, REALM in UTF-8, no FINGERPRINT', () => {
    const v = byId('long-term-request');
    const m = decoded(v.hex);
    expect(m.attributes).toEqual({
      username: 'マトリックス',
      nonce: 'f//499k954d6OL34oL9FSTvy64sA',
      realm: 'example.org',
    });
    expect(m.hasFingerprint).toBe(false);
  });

  it('derives the keys of the vectors (short-term = SASLprep(password), long-term = MD5(user:realm:SASLprep(pw)))', () => {
    for (const v of vectors) expect(keyOf(v).toString('hex')).toBe(v.credentials.keyHex);
    expect(saslPrep(byId('long-term-request').credentials.passwordAsGiven ?? '')).toEqual({
      ok: true,
      value: 'TheMatrIX',
    });
  });

  it('verifies MESSAGE-INTEGRITY with the right key and refuses a wrong one', () => {
    for (const v of vectors) {
      const bytes = Buffer.from(v.hex, 'hex');
      expect(verifyMessageIntegrity(bytes, keyOf(v)), v.id).toBe(true);
      expect(verifyMessageIntegrity(bytes, Buffer.from('not the key')), v.id).toBe(false);
    }
  });

  it('computes the vectors’ MESSAGE-INTEGRITY and FINGERPRINT values from their own bytes', () => {
    for (const v of vectors) {
      const bytes = Buffer.from(v.hex, 'hex');
      const mi = v.attributes.find((a) => a.name === 'MESSAGE-INTEGRITY');
      expect(mi).toBeDefined();
      expect(computeMessageIntegrity(bytes.subarray(0, mi?.offset), keyOf(v)).toString('hex'), v.id).toBe(
        v.expected.messageIntegrityHex,
      );
      const fp = v.attributes.find((a) => a.name === 'FINGERPRINT');
      if (fp)
        expect(computeFingerprint(bytes.subarray(0, fp.offset)).toString(16).padStart(8, '0'), v.id).toBe(
          fp.valueHex,
        );
    }
  });

  it('refuses a message whose FINGERPRINT does not match, and a tampered message fails MESSAGE-INTEGRITY', () => {
    const v = byId('sample-request');
    const bytes = Buffer.from(v.hex, 'hex');
    const badFingerprint = Buffer.from(bytes);
    badFingerprint.writeUInt8(
      badFingerprint.readUInt8(badFingerprint.length - 1) ^ 0x01,
      badFingerprint.length - 1,
    );
    expect(decodeStunMessage(badFingerprint)).toEqual({ ok: false, reason: 'bad-fingerprint' });

    // Change one USERNAME byte and fix the FINGERPRINT: decodes, but the integrity check fails.
    const tampered = Buffer.from(bytes);
    tampered.writeUInt8(tampered.readUInt8(64) ^ 0x01, 64);
    tampered.writeUInt32BE(computeFingerprint(tampered.subarray(0, 100)), 104);
    expect(decodeStunMessage(tampered).ok).toBe(true);
    expect(verifyMessageIntegrity(tampered, keyOf(v))).toBe(false);
  });

  it('2.4 encodes byte for byte (zero padding, long-term MESSAGE-INTEGRITY)', () => {
    const v = byId('long-term-request');
    const bytes = encodeStunMessage(
      {
        method: StunMethod.binding,
        messageClass: 'request',
        transactionId: Buffer.from(v.transactionIdHex, 'hex'),
        attributes: { username: 'マトリックス', nonce: 'f//499k954d6OL34oL9FSTvy64sA', realm: 'example.org' },
      },
      { integrityKey: keyOf(v) },
    );
    expect(bytes.toString('hex')).toBe(v.hex);
  });

  /**
   * 2.1–2.3 pad with spaces, which MESSAGE-INTEGRITY and FINGERPRINT cover; an encoder that pads with
   * zeros (as RFC 5389 §15 recommends) produces the vector with zeroed padding and re-computed integrity
   * and fingerprint. The expected bytes are built here independently with node:crypto and node:zlib.
   */
  function vectorWithZeroPadding(v: Vector): Buffer {
    const bytes = Buffer.from(v.hex, 'hex');
    for (const a of v.attributes) {
      if (a.paddingHex)
        bytes.fill(0, a.offset + 4 + a.length, a.offset + 4 + a.length + a.paddingHex.length / 2);
    }
    const mi = v.attributes.find((a) => a.name === 'MESSAGE-INTEGRITY');
    const fp = v.attributes.find((a) => a.name === 'FINGERPRINT');
    if (!mi || !fp) throw new Error('vector without MI/FP');
    const forMi = Buffer.from(bytes.subarray(0, mi.offset));
    forMi.writeUInt16BE(mi.offset + 24 - 20, 2);
    createHmac('sha1', keyOf(v))
      .update(forMi)
      .digest()
      .copy(bytes, mi.offset + 4);
    const forFp = Buffer.from(bytes.subarray(0, fp.offset));
    bytes.writeUInt32BE(((crc32(forFp) ^ 0x5354554e) >>> 0) as number, fp.offset + 4);
    return bytes;
  }

  const encodeCases: { id: string; attributes: StunAttributes; messageClass: 'request' | 'success' }[] = [
    {
      id: 'sample-request',
      messageClass: 'request',
      attributes: {
        software: 'STUN test client',
        priority: 0x6e0001ff,
        iceControlled: 0x932ff9b151263b36n,
        username: 'evtj:h6vY',
      },
    },
    {
      id: 'ipv4-response',
      messageClass: 'success',
      attributes: {
        software: 'test vector',
        xorMappedAddress: { address: '192.0.2.1', port: 32853, family: 4 },
      },
    },
    {
      id: 'ipv6-response',
      messageClass: 'success',
      attributes: {
        software: 'test vector',
        xorMappedAddress: { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 6 },
      },
    },
  ];

  for (const c of encodeCases) {
    it(`${byId(c.id).section} encodes to the vector with zero padding (short-term MESSAGE-INTEGRITY + FINGERPRINT)`, () => {
      const v = byId(c.id);
      const bytes = encodeStunMessage(
        {
          method: StunMethod.binding,
          messageClass: c.messageClass,
          transactionId: Buffer.from(v.transactionIdHex, 'hex'),
          attributes: c.attributes,
        },
        { integrityKey: keyOf(v), fingerprint: true },
      );
      expect(bytes.toString('hex')).toBe(vectorWithZeroPadding(v).toString('hex'));
      expect(verifyMessageIntegrity(bytes, keyOf(v))).toBe(true);
      expect(decoded(bytes.toString('hex')).attributes).toEqual(c.attributes);
    });
  }
});

describe('STUN codec beyond the vectors', () => {
  const tid = Buffer.from('00112233445566778899aabb', 'hex');

  it('interleaves method and class bits for any 12-bit method (RFC 5389 §6)', () => {
    expect(messageType(StunMethod.binding, 'request')).toBe(0x0001);
    expect(messageType(StunMethod.binding, 'indication')).toBe(0x0011);
    expect(messageType(StunMethod.binding, 'success')).toBe(0x0101);
    expect(messageType(StunMethod.allocate, 'error')).toBe(0x0113);
    expect(messageType(0xfff, 'request')).toBe(0x3eef);
    for (const method of [0x001, 0x009, 0x0ab, 0x7ff, 0xfff]) {
      for (const messageClass of ['request', 'indication', 'success', 'error'] as const) {
        const m = decoded(
          encodeStunMessage({ method, messageClass, transactionId: tid, attributes: {} }).toString('hex'),
        );
        expect([m.method, m.messageClass]).toEqual([method, messageClass]);
      }
    }
    expect(() => messageType(0x1000, 'request')).toThrow(RangeError);
  });

  it('round-trips the RFC 5780 and TURN attributes, RESPONSE-PORT and PADDING included', () => {
    const attributes: StunAttributes = {
      changeRequest: { changeIp: true, changePort: false },
      responsePort: 40001,
      padding: 6,
      xorMappedAddress: { address: '198.51.100.7', port: 20000, family: 4 },
      mappedAddress: { address: '198.51.100.7', port: 20000, family: 4 },
      responseOrigin: { address: '203.0.113.5', port: 3479, family: 4 },
      otherAddress: { address: '203.0.113.6', port: 3479, family: 4 },
      lifetime: 600,
      requestedTransport: 17,
      xorRelayedAddress: { address: '203.0.113.5', port: 50000, family: 4 },
      xorPeerAddress: { address: '2001:db8::1', port: 9, family: 6 },
      errorCode: { code: 438, reason: 'Stale Nonce' },
      unknownAttributes: [0x7777, 0x0027],
      alternateServer: { address: '203.0.113.9', port: 3478, family: 4 },
      channelNumber: 0x4001,
      data: Buffer.from([1, 2, 3]),
      useCandidate: true,
      iceControlling: 0x0102030405060708n,
    };
    const bytes = encodeStunMessage(
      { method: StunMethod.allocate, messageClass: 'error', transactionId: tid, attributes },
      { fingerprint: true },
    );
    const m = decoded(bytes.toString('hex'));
    expect(m.attributes).toEqual(attributes);
    // RESPONSE-PORT: the port then two zero bytes (RFC 5780 §7.5).
    const at = bytes.indexOf(Buffer.from([0x00, 0x27, 0x00, 0x04]));
    expect(bytes.subarray(at + 4, at + 8).toString('hex')).toBe('9c410000');
    // FINGERPRINT is the last attribute, after our raw ones.
    expect(bytes.readUInt16BE(bytes.length - 8)).toBe(StunAttributeType.FINGERPRINT);
  });

  it('puts MESSAGE-INTEGRITY after raw attributes and before FINGERPRINT', () => {
    const key = shortTermKey('secret');
    const bytes = encodeStunMessage(
      {
        method: StunMethod.binding,
        messageClass: 'request',
        transactionId: tid,
        attributes: { responsePort: 5000, username: 'a:b' },
      },
      { integrityKey: key, fingerprint: true },
    );
    expect(bytes.readUInt16BE(bytes.length - 8 - 24)).toBe(StunAttributeType.MESSAGE_INTEGRITY);
    expect(verifyMessageIntegrity(bytes, key)).toBe(true);
    expect(decoded(bytes.toString('hex')).attributes).toEqual({ responsePort: 5000, username: 'a:b' });
  });

  it('ignores attributes after MESSAGE-INTEGRITY except FINGERPRINT (RFC 5389 §15.4)', () => {
    const key = shortTermKey('secret');
    const signed = encodeStunMessage(
      {
        method: StunMethod.binding,
        messageClass: 'request',
        transactionId: tid,
        attributes: { username: 'a:b' },
      },
      { integrityKey: key },
    );
    // Append a SOFTWARE attribute after MESSAGE-INTEGRITY, then a FINGERPRINT.
    const software = Buffer.from([0x80, 0x22, 0x00, 0x04, 0x65, 0x76, 0x69, 0x6c]);
    const tail = Buffer.concat([signed, software]);
    tail.writeUInt16BE(tail.length - 20, 2);
    const withFp = Buffer.concat([tail, Buffer.alloc(8)]);
    withFp.writeUInt16BE(withFp.length - 20, 2);
    withFp.writeUInt16BE(StunAttributeType.FINGERPRINT, tail.length);
    withFp.writeUInt16BE(4, tail.length + 2);
    withFp.writeUInt32BE(computeFingerprint(withFp.subarray(0, tail.length)), tail.length + 4);
    const m = decoded(withFp.toString('hex'));
    expect(m.attributes).toEqual({ username: 'a:b' });
    expect(m.hasFingerprint).toBe(true);
    expect(verifyMessageIntegrity(withFp, key)).toBe(true);
  });

  it('lists comprehension-required attributes it does not understand, and skips optional ones', () => {
    const bytes = encodeStunMessage({
      method: StunMethod.binding,
      messageClass: 'request',
      transactionId: tid,
      attributes: {},
    });
    const extra = Buffer.from([0x7f, 0x01, 0x00, 0x01, 0xaa, 0, 0, 0, 0xc0, 0x57, 0x00, 0x00]);
    const message = Buffer.concat([bytes, extra]);
    message.writeUInt16BE(extra.length, 2);
    expect(decoded(message.toString('hex')).unknownRequired).toEqual([0x7f01]);
  });

  it('tells not-STUN from malformed', () => {
    expect(decodeStunMessage(Buffer.from('INVITE sip:a@b SIP/2.0\r\n'))).toEqual({
      ok: false,
      reason: 'not-stun',
    });
    const bytes = encodeStunMessage({
      method: StunMethod.binding,
      messageClass: 'request',
      transactionId: tid,
      attributes: {},
    });
    const overrun = Buffer.concat([bytes, Buffer.from([0x80, 0x22, 0x00, 0x10])]);
    overrun.writeUInt16BE(4, 2);
    expect(decodeStunMessage(overrun)).toEqual({ ok: false, reason: 'malformed' });
    const cookieless = Buffer.from(bytes);
    cookieless.writeUInt32BE(0, 4);
    expect(decodeStunMessage(cookieless)).toEqual({ ok: false, reason: 'not-stun' });
  });
});

describe('SASLprep (RFC 4013)', () => {
  it('maps soft hyphen to nothing, non-ASCII spaces to space, and applies NFKC', () => {
    expect(saslPrep('I\u00ADX')).toEqual({ ok: true, value: 'IX' });
    expect(saslPrep('user\u00A0name')).toEqual({ ok: true, value: 'user name' });
    expect(saslPrep('\u00AA')).toEqual({ ok: true, value: 'a' });
    expect(saslPrep('\u2168')).toEqual({ ok: true, value: 'IX' });
    expect(saslPrep('plain')).toEqual({ ok: true, value: 'plain' });
  });

  it('refuses prohibited characters and mixed bidirectional text', () => {
    expect(saslPrep('a\u0007b')).toEqual({ ok: false, reason: 'prohibited character U+0007' });
    expect(saslPrep('\uE000')).toEqual({ ok: false, reason: 'prohibited character U+E000' });
    expect(saslPrep('\u05D0a\u05D0').ok).toBe(false);
    expect(saslPrep('\u05D0\u05D1')).toEqual({ ok: true, value: '\u05D0\u05D1' });
    expect(saslPrep('\u05D01')).toEqual({ ok: false, reason: 'mixes right-to-left and left-to-right text' });
    expect(() => shortTermKey('bad\u0000')).toThrow(/prohibited/);
  });
});
