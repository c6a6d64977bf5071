/**
 * Calls with SDES-SRTP between two phones (accounts' `srtp`): the SDP carries a=crypto, the snapshot says
 * `encryption: 'srtp'`, audio flows both ways as SRTP on the wire, hold/resume keeps the keys, and the
 * policies refuse what they must (488 before ringing).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CallMedia } from '../../../src-main/call/index.ts';
import type { CallSrtpMode } from '../../../src-main/call/index.ts';
import { FakeClock } from '../../../src-main/platform/index.ts';
import { TONES, expectNoLeaks, heard, startLab } from './support.ts';
import type { Lab } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

async function callBetween(alice: CallSrtpMode, bob: CallSrtpMode) {
  lab = await startLab({ account: { alice: { srtp: alice }, bob: { srtp: bob } } });
  const phones = lab.phones;
  const call = phones.alice.agent.dial(phones.alice.account, phones.bob.uri);
  await lab.run(300);
  return { lab, call, phones };
}

/** The audio m-line and a=crypto lines of a SIP message's SDP. */
function securityLines(body: Buffer): string[] {
  return body
    .toString()
    .split('\r\n')
    .filter((l) => l.startsWith('m=audio') || l.startsWith('a=crypto'))
    .map((l) => l.replace(/inline:\S+/, 'inline:KEY').replace(/^m=audio \d+ (\S+) .*$/, 'm=audio $1'));
}

describe('calls with SRTP', () => {
  it('optional ↔ optional: RTP/AVP + a=crypto offered, one line answered, encrypted audio both ways', async () => {
    const { lab, call, phones } = await callBetween('optional', 'optional');
    const incoming = phones.bob.last();
    expect(incoming.state).toBe('ringing');
    expect((await incoming.answer()).ok).toBe(true);
    await lab.run(2000);
    const invite = lab.sip.find((l) => l.line === 'INVITE')!.message;
    const ok = lab.sip.find((l) => l.line === '200 OK' && l.from === 'bob')!.message;
    expect(securityLines(invite.body)).toEqual([
      'm=audio RTP/AVP',
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY',
      'a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:KEY',
    ]);
    expect(securityLines(ok.body)).toEqual([
      'm=audio RTP/AVP',
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY',
    ]);
    // Each side offers its own key.
    expect(/inline:(\S+)/.exec(invite.body.toString())![1]).not.toBe(
      /inline:(\S+)/.exec(ok.body.toString())![1],
    );

    expect(heard(phones.bob.speakers.get(incoming.id), TONES.alice)).toBe(true);
    expect(heard(phones.alice.speakers.get(call.id), TONES.bob)).toBe(true);
    for (const c of [call, incoming])
      expect(c.snapshot().media).toMatchObject({ encryption: 'srtp', srtpSuite: 'AES_CM_128_HMAC_SHA1_80' });
    // On the wire: PCMU's 160 octets + header + 10-octet tag.
    const aliceRtpPort = Number(call.snapshot().media.local!.split(':')[1]);
    const sizes = new Set(
      lab.net.sent
        .filter((p) => p.protocol === 'udp' && p.from.port === aliceRtpPort && (p.bytes[1]! & 0x7f) === 0)
        .map((p) => p.bytes.length),
    );
    expect(sizes).toEqual(new Set([182]));
    call.hangup();
    await lab.run(500);
  });

  it('required offers RTP/SAVP; an optional far end answers it with SRTP; hold and resume keep the keys', async () => {
    const { lab, call, phones } = await callBetween('required', 'optional');
    const incoming = phones.bob.last();
    await incoming.answer();
    await lab.run(1000);
    expect(securityLines(lab.sip.find((l) => l.line === 'INVITE')!.message.body)[0]).toBe('m=audio RTP/SAVP');
    expect(call.snapshot().media.encryption).toBe('srtp');
    const before = lab.sip.length;
    expect(call.hold().ok).toBe(true);
    await lab.run(1000);
    expect(call.resume().ok).toBe(true);
    await lab.run(1500);
    const reinvites = lab.sip.slice(before).filter((l) => l.line === 'INVITE');
    expect(reinvites).toHaveLength(2);
    // The re-offers repeat the crypto line of the exchange (same context, RFC 4568 §7.1.4).
    const firstKey = /a=crypto:1 \S+ (\S+)/.exec(
      lab.sip.find((l) => l.line === 'INVITE')!.message.body.toString(),
    )![1];
    for (const r of reinvites)
      expect(r.message.body.toString()).toContain(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${firstKey}`);
    expect(heard(phones.bob.speakers.get(incoming.id), TONES.alice)).toBe(true);
    expect(heard(phones.alice.speakers.get(call.id), TONES.bob)).toBe(true);
    expect(incoming.snapshot().media.encryption).toBe('srtp');
    call.hangup();
    await lab.run(500);
  });

  it('optional caller, SRTP off at the far end: a plain call, shown as not encrypted', async () => {
    const { lab, call, phones } = await callBetween('optional', 'off');
    await phones.bob.last().answer();
    await lab.run(1500);
    expect(securityLines(lab.sip.find((l) => l.line === '200 OK' && l.from === 'bob')!.message.body)).toEqual(
      ['m=audio RTP/AVP'],
    );
    expect(call.snapshot().media).toMatchObject({ encryption: 'none', srtpSuite: null });
    expect(heard(phones.alice.speakers.get(call.id), TONES.bob)).toBe(true);
    call.hangup();
    await lab.run(500);
  });

  it('a far end with SRTP off refuses our required RTP/SAVP offer with 488 before ringing', async () => {
    const { lab, call, phones } = await callBetween('required', 'off');
    expect(lab.trace()).toEqual(['alice→bob INVITE', 'bob→alice 488 Not Acceptable Here', 'alice→bob ACK']);
    expect(phones.bob.last().state).toBe('ended');
    expect(call.snapshot()).toMatchObject({
      state: 'ended',
      sipCode: 488,
      reason: { kind: 'no-common-codec' },
    });
  });

  it('a far end requiring SRTP refuses our plain offer with 488', async () => {
    const { lab, call } = await callBetween('off', 'required');
    expect(lab.trace()).toContain('bob→alice 488 Not Acceptable Here');
    expect(call.snapshot()).toMatchObject({ state: 'ended', sipCode: 488 });
  });
});

describe('CallMedia keys', () => {
  const media = (srtp: CallSrtpMode | undefined, randomBytes?: (n: number) => Uint8Array) =>
    new CallMedia({
      clock: new FakeClock(),
      provider: { open: () => Promise.resolve({ ok: false, message: 'unused' }) },
      codecs: [],
      openAudio: () => {
        throw new Error('unused');
      },
      sessionId: '1',
      ...(srtp !== undefined && { srtp }),
      ...(randomBytes !== undefined && { randomBytes }),
    });

  it('draws one fresh 30-octet key per suite, once per call; none when SRTP is off', () => {
    let n = 0;
    const m = media('required', (count) => new Uint8Array(count).fill(++n));
    expect(m.sdes).toEqual({
      policy: 'required',
      keys: [
        { suite: 'AES_CM_128_HMAC_SHA1_80', key: new Uint8Array(30).fill(1) },
        { suite: 'AES_CM_128_HMAC_SHA1_32', key: new Uint8Array(30).fill(2) },
      ],
    });
    expect(m.sdes).toBe(m.sdes);
    expect(m.encryption).toEqual({ encryption: 'none', suite: null });
    expect(media('off').sdes).toBeUndefined();
    expect(media(undefined).sdes).toBeUndefined();
    const a = media('optional').sdes!.keys[0]!.key;
    const b = media('optional').sdes!.keys[0]!.key;
    expect(Buffer.from(a).equals(b)).toBe(false);
  });
});
