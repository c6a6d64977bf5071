import { afterEach, describe, expect, it } from 'vitest';
import { TONES, expectNoLeaks, heard, startLab } from './support.ts';
import type { Lab } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

describe('calls between two phones (RFC 3261 §13, RFC 3665 §3)', () => {
  it('INVITE → 100 → 180 → answer → 200 → ACK, audio both ways, BYE → 200', async () => {
    lab = await startLab();
    const { alice, bob } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    expect(call.state).toBe('dialing');
    await lab.run(300);
    const incoming = bob.last();
    expect(incoming.direction).toBe('incoming');
    expect(incoming.state).toBe('ringing');
    expect(call.state).toBe('ringing');
    expect(incoming.remote).toEqual({ uri: 'sip:alice@203.0.113.10', displayName: 'Alice' });
    expect(call.remote).toEqual({ uri: 'sip:bob@203.0.113.20' });

    expect((await incoming.answer()).ok).toBe(true);
    expect(incoming.state).toBe('active');
    expect(incoming.phase).toBe('connecting');
    await lab.run(100);
    expect(call.phase).toBe('active');
    expect(incoming.phase).toBe('active');
    expect(lab.trace()).toEqual([
      'alice→bob INVITE',
      'bob→alice 100 Trying',
      'bob→alice 180 Ringing',
      'bob→alice 200 OK',
      'alice→bob ACK',
    ]);

    const invite = lab.sip[0]!.message;
    expect(invite.headers.get('Supported')).toBe('replaces, timer');
    expect(invite.headers.get('Content-Type')).toBe('application/sdp');
    expect(invite.headers.get('Contact')).toBe('<sip:alice@203.0.113.10:5060>');
    expect(invite.body.toString()).toMatch(/^m=audio \d+ RTP\/AVP 0 8 9 101\r$/m);
    const ok = lab.sip[3]!.message;
    expect(ok.headers.get('Contact')).toBe('<sip:bob@203.0.113.20:5060>');
    expect(ok.body.toString()).toMatch(/^a=rtcp-mux\r$/m);

    await lab.run(2000);
    expect(heard(bob.speakers.get(incoming.id), TONES.alice)).toBe(true);
    expect(heard(alice.speakers.get(call.id), TONES.bob)).toBe(true);
    expect(heard(alice.speakers.get(call.id), TONES.alice)).toBe(false);
    const snap = call.snapshot();
    expect(snap).toMatchObject({
      state: 'active',
      codec: 'PCMU',
      muted: false,
      direction: 'outgoing',
      accountId: 'acct-alice',
      reason: null,
      sipCode: null,
    });
    expect(snap.media.path).toBe('direct');
    expect(snap.media.local).toMatch(/^203\.0\.113\.10:\d+$/);
    expect(snap.media.remote).toMatch(/^203\.0\.113\.20:\d+$/);
    expect(snap.stats.packetsReceived).toBeGreaterThan(90);
    expect(snap.stats.packetsSent).toBeGreaterThan(90);
    expect(snap.answeredAt).toBe(snap.startedAt + 300);

    const mark = lab.sip.length;
    call.hangup();
    expect(call.state).toBe('ended');
    expect(call.reason).toEqual({ kind: 'local-hangup', text: 'Hung up' });
    await lab.run(100);
    expect(lab.trace(mark)).toEqual(['alice→bob BYE', 'bob→alice 200 OK']);
    expect(incoming.state).toBe('ended');
    expect(incoming.reason?.kind).toBe('remote-hangup');
    expect(alice.agent.calls).toEqual([]);
    expect(bob.agent.calls).toEqual([]);
    expect(alice.ua.dialogs.size).toBe(0);
    expect(bob.ua.dialogs.size).toBe(0);
  });

  it('the callee hangs up: BYE from bob ends both sides', async () => {
    lab = await startLab();
    const { alice, bob } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    await lab.run(100);
    await bob.last().answer();
    await lab.run(500);
    const mark = lab.sip.length;
    bob.last().hangup();
    await lab.run(100);
    expect(lab.trace(mark)).toEqual(['bob→alice BYE', 'alice→bob 200 OK']);
    expect(call.reason).toEqual({ kind: 'remote-hangup', text: 'The other side hung up' });
    expect(bob.last().reason?.kind).toBe('local-hangup');
  });

  it.each([
    ['busy', 486, 'Busy Here', 'busy'],
    ['decline', 603, 'Decline', 'declined'],
  ] as const)(
    'the callee rejects (%s): %i, ACK, and the caller learns why',
    async (how, status, phrase, kind) => {
      lab = await startLab();
      const { alice, bob } = lab.phones;
      const call = alice.agent.dial(alice.account, bob.uri);
      await lab.run(100);
      expect(bob.last().reject(how).ok).toBe(true);
      await lab.run(100);
      expect(lab.trace()).toEqual([
        'alice→bob INVITE',
        'bob→alice 100 Trying',
        'bob→alice 180 Ringing',
        `bob→alice ${status} ${phrase}`,
        'alice→bob ACK',
      ]);
      expect(call.reason).toEqual({ kind, text: `${status} ${phrase}` });
      expect(call.sipCode).toBe(status);
      expect(bob.last().reason?.kind).toBe(kind);
      expect(bob.last().sipCode).toBe(status);
    },
  );

  it('CANCEL while it rings: 200 to the CANCEL, 487 to the INVITE, ACK (RFC 3261 §9, RFC 3665 §3.8)', async () => {
    lab = await startLab();
    const { alice, bob } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    await lab.run(100);
    expect(call.state).toBe('ringing');
    call.hangup();
    expect(call.reason).toEqual({ kind: 'cancelled', text: 'Cancelled before the answer' });
    await lab.run(100);
    expect(lab.trace()).toEqual([
      'alice→bob INVITE',
      'bob→alice 100 Trying',
      'bob→alice 180 Ringing',
      'alice→bob CANCEL',
      'bob→alice 200 OK',
      'bob→alice 487 Request Terminated',
      'alice→bob ACK',
    ]);
    expect(bob.last().reason).toEqual({
      kind: 'remote-cancelled',
      text: 'The caller hung up before the answer',
    });
    expect(bob.last().sipCode).toBe(487);
  });

  it('gives up ringing after noAnswerMs with a CANCEL (reason no-answer)', async () => {
    lab = await startLab({ timing: { noAnswerMs: 5000 } });
    const { alice, bob } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    await lab.run(4990);
    expect(call.state).toBe('ringing');
    await lab.run(20);
    expect(call.reason).toEqual({ kind: 'no-answer', text: 'No answer within 5 s' });
    await lab.run(100);
    expect(lab.trace().slice(3)).toEqual([
      'alice→bob CANCEL',
      'bob→alice 200 OK',
      'bob→alice 487 Request Terminated',
      'alice→bob ACK',
    ]);
    expect(lab.sip[3]!.at).toBe(5000);
  });

  it('an unanswered incoming call ends with 480 after ringTimeoutMs (missed)', async () => {
    lab = await startLab({ timing: { ringTimeoutMs: 8000 } });
    const { alice, bob } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    await lab.run(8100);
    expect(bob.last().reason).toEqual({ kind: 'no-answer', text: 'Nobody answered' });
    expect(lab.trace().slice(3)).toEqual(['bob→alice 480 Temporarily Unavailable', 'alice→bob ACK']);
    expect(call.reason?.kind).toBe('unavailable');
  });

  it('auto-answers when the account says so, at once', async () => {
    lab = await startLab({ account: { bob: { autoAnswer: true } } });
    const { alice, bob } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    await lab.run(100);
    expect(call.state).toBe('active');
    expect(lab.trace()).toEqual([
      'alice→bob INVITE',
      'bob→alice 100 Trying',
      'bob→alice 180 Ringing',
      'bob→alice 200 OK',
      'alice→bob ACK',
    ]);
    call.hangup();
  });

  it('mute sends silence instead of the microphone', async () => {
    lab = await startLab({ account: { bob: { autoAnswer: true } } });
    const { alice, bob } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    await lab.run(1500);
    expect(heard(bob.speakers.get(bob.last().id), TONES.alice)).toBe(true);
    call.setMuted(true);
    expect(call.snapshot().muted).toBe(true);
    await lab.run(1500);
    expect(heard(bob.speakers.get(bob.last().id), TONES.alice)).toBe(false);
    call.setMuted(false);
    await lab.run(1500);
    expect(heard(bob.speakers.get(bob.last().id), TONES.alice)).toBe(true);
    call.hangup();
  });
});
