import { afterEach, describe, expect, it } from 'vitest';
import {
  DTMF_RELAY,
  dtmfRelayBody,
  parseDtmfBody,
  parseSipfragStatus,
  sipfragBody,
} from '../../../src-main/call/index.ts';
import type { Call } from '../../../src-main/call/index.ts';
import type { SipRequest } from '../../../src-main/sip/syntax/index.ts';
import { ADDRESSES, expectNoLeaks, scriptedPeer, startLab, uri } from './support.ts';
import type { Lab } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

async function connected(l: Lab): Promise<{ call: Call; incoming: Call }> {
  const { alice, bob } = l.phones;
  const call = alice.agent.dial(alice.account, bob.uri);
  await l.run(50);
  const incoming = bob.last();
  await incoming.answer();
  await l.run(500);
  return { call, incoming };
}

describe('DTMF', () => {
  it('RFC 4733 telephone-events both ways, each key once', async () => {
    lab = await startLab();
    const { call, incoming } = await connected(lab);
    const seen: string[] = [];
    incoming.onDtmf((key, via) => seen.push(`${key}/${via}`));
    expect(call.sendDtmf('159#').ok).toBe(true);
    await lab.run(2000);
    expect(incoming.snapshot().dtmfReceived).toBe('159#');
    expect(seen).toEqual(['1/rfc4733', '5/rfc4733', '9/rfc4733', '#/rfc4733']);
    expect(incoming.sendDtmf('*0a').ok).toBe(true);
    await lab.run(2000);
    expect(call.snapshot().dtmfReceived).toBe('*0A');
    // No SIP for RFC 4733.
    expect(lab.trace().filter((l) => l.includes('INFO'))).toEqual([]);
    expect(call.sendDtmf('x').ok).toBe(false);
    call.hangup();
  });

  it('SIP INFO application/dtmf-relay when the mode says info: one INFO per key, in order (Signal=5, Duration=160)', async () => {
    lab = await startLab({ account: { alice: { dtmfMode: 'info' } } });
    const { call, incoming } = await connected(lab);
    const seen: string[] = [];
    incoming.onDtmf((key, via) => seen.push(`${key}/${via}`));
    const mark = lab.sip.length;
    expect(call.sendDtmf('5*').ok).toBe(true);
    await lab.run(200);
    expect(lab.trace(mark)).toEqual([
      'alice→bob INFO',
      'bob→alice 200 OK',
      'alice→bob INFO',
      'bob→alice 200 OK',
    ]);
    const info = lab.sip[mark]!.message;
    expect(info.headers.get('Content-Type')).toBe(DTMF_RELAY);
    expect(info.body.toString()).toBe('Signal=5\r\nDuration=160\r\n');
    expect(lab.sip[mark + 2]!.message.body.toString()).toBe('Signal=*\r\nDuration=160\r\n');
    expect(seen).toEqual(['5/info', '*/info']);
    expect(incoming.snapshot().dtmfReceived).toBe('5*');
    call.hangup();
  });

  it('auto mode falls back to INFO when the peer offered no telephone-event', async () => {
    lab = await startLab({ phones: ['alice'] });
    const infos: SipRequest[] = [];
    await scriptedPeer(lab, ADDRESSES.proxy, (req, p) => {
      if (req.method === 'INVITE') {
        const body = [
          'v=0',
          `o=p 1 1 IN IP4 ${ADDRESSES.proxy}`,
          's=-',
          `c=IN IP4 ${ADDRESSES.proxy}`,
          't=0 0',
          'm=audio 40000 RTP/AVP 0',
          'a=rtpmap:0 PCMU/8000',
          '',
        ].join('\r\n');
        p.respond(req, 200, { toTag: 'x1', headers: [['Contact', `<sip:p@${ADDRESSES.proxy}>`]], body });
      } else if (req.method === 'INFO') {
        infos.push(req);
        p.respond(req, 200);
      }
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:p@${ADDRESSES.proxy}`));
    await lab.run(200);
    expect(call.negotiated?.telephoneEvent).toBeUndefined();
    expect(call.sendDtmf('7').ok).toBe(true);
    await lab.run(100);
    expect(infos.map((r) => r.body.toString())).toEqual(['Signal=7\r\nDuration=160\r\n']);
    call.hangup();
  });

  it('rfc4733 mode without telephone-event refuses instead of falling back', async () => {
    lab = await startLab({ phones: ['alice'], account: { alice: { dtmfMode: 'rfc4733' } } });
    await scriptedPeer(lab, ADDRESSES.proxy, (req, p) => {
      if (req.method === 'INVITE') {
        const body = [
          'v=0',
          `o=p 1 1 IN IP4 ${ADDRESSES.proxy}`,
          's=-',
          `c=IN IP4 ${ADDRESSES.proxy}`,
          't=0 0',
          'm=audio 40000 RTP/AVP 0',
          'a=rtpmap:0 PCMU/8000',
          '',
        ].join('\r\n');
        p.respond(req, 200, { toTag: 'x1', headers: [['Contact', `<sip:p@${ADDRESSES.proxy}>`]], body });
      }
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:p@${ADDRESSES.proxy}`));
    await lab.run(200);
    expect(call.sendDtmf('7')).toEqual({
      ok: false,
      error: 'the far end does not take RFC 4733 telephone-events',
    });
    call.hangup();
  });
});

describe('message bodies', () => {
  it('dtmf-relay and dtmf bodies', () => {
    expect(dtmfRelayBody('5', 160)).toBe('Signal=5\r\nDuration=160\r\n');
    expect(dtmfRelayBody('flash', 250)).toBe('Signal=16\r\nDuration=250\r\n');
    expect(parseDtmfBody('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n')).toEqual({
      key: '5',
      durationMs: 160,
    });
    expect(parseDtmfBody('application/dtmf-relay', 'signal = #\nduration=100')).toEqual({
      key: '#',
      durationMs: 100,
    });
    expect(parseDtmfBody('application/dtmf-relay', 'Signal=11\r\n')).toEqual({
      key: '#',
      durationMs: undefined,
    });
    expect(parseDtmfBody('application/dtmf-relay', 'Signal=d\r\n')).toEqual({
      key: 'D',
      durationMs: undefined,
    });
    expect(parseDtmfBody('application/dtmf', '3')).toEqual({ key: '3', durationMs: undefined });
    expect(parseDtmfBody('application/dtmf-relay', 'Duration=100')).toBeUndefined();
    expect(parseDtmfBody('application/dtmf-relay', 'Signal=Z')).toBeUndefined();
    expect(parseDtmfBody('text/plain', 'Signal=1')).toBeUndefined();
  });

  it('sipfrag status lines (RFC 3420 / RFC 3515 §2.4.5)', () => {
    expect(sipfragBody(200, 'OK')).toBe('SIP/2.0 200 OK\r\n');
    expect(parseSipfragStatus('SIP/2.0 100 Trying\r\n')).toEqual({ status: 100, phrase: 'Trying' });
    expect(parseSipfragStatus('SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n')).toEqual({
      status: 486,
      phrase: 'Busy Here',
    });
    expect(parseSipfragStatus('SIP/2.0 200\r\n')).toEqual({ status: 200, phrase: '' });
    expect(parseSipfragStatus('INVITE sip:x SIP/2.0\r\n')).toBeUndefined();
    expect(parseSipfragStatus('SIP/2.0 99 Nope')).toBeUndefined();
  });
});
