import { afterEach, describe, expect, it } from 'vitest';
import { CONSULTATION_END_WAIT_MS } from '../../../src-main/call/index.ts';
import { Header } from '../../../src-main/sip/syntax/index.ts';
import type { SipRequest } from '../../../src-main/sip/syntax/index.ts';
import { TONES, expectNoLeaks, heard, startLab } from './support.ts';
import type { Lab, SipLine } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

function requestsOf(lines: readonly SipLine[], method: string): SipRequest[] {
  return lines.flatMap((l) =>
    l.message.kind === 'request' && l.message.method === method ? [l.message] : [],
  );
}

describe('transfer (RFC 3515, RFC 5589)', () => {
  it('blind: REFER → 202, NOTIFY 100 then 200 (message/sipfrag), the transferee calls the target, we hang up', async () => {
    lab = await startLab({ phones: ['alice', 'bob', 'carol'], account: { carol: { autoAnswer: true } } });
    const { alice, bob, carol } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    await lab.run(50);
    const bobCall = bob.last();
    await bobCall.answer();
    await lab.run(500);

    const mark = lab.sip.length;
    expect(call.transferTo(carol.uri).ok).toBe(true);
    expect(call.snapshot().transfer).toEqual({
      role: 'transferor',
      target: 'sip:carol@203.0.113.30',
      state: 'pending',
      sipCode: null,
    });
    await lab.run(500);

    const lines = lab.sip.slice(mark);
    const [refer] = requestsOf(lines, 'REFER');
    expect(refer!.headers.get('Refer-To')).toBe('<sip:carol@203.0.113.30>');
    expect(refer!.headers.get('Referred-By')).toBe('<sip:alice@203.0.113.10>');
    expect(lab.trace(mark).slice(0, 3)).toEqual([
      'alice→bob REFER',
      'bob→alice 202 Accepted',
      'bob→alice NOTIFY',
    ]);
    const notifies = requestsOf(lines, 'NOTIFY');
    expect(
      notifies.map((n) => [
        n.headers.get('Event'),
        n.headers.get('Subscription-State'),
        n.headers.get('Content-Type'),
        n.body.toString(),
      ]),
    ).toEqual([
      [`refer;id=${refer!.cseq.seq}`, 'active;expires=60', 'message/sipfrag', 'SIP/2.0 100 Trying\r\n'],
      [`refer;id=${refer!.cseq.seq}`, 'active;expires=60', 'message/sipfrag', 'SIP/2.0 180 Ringing\r\n'],
      [
        `refer;id=${refer!.cseq.seq}`,
        'terminated;reason=noresource',
        'message/sipfrag',
        'SIP/2.0 200 OK\r\n',
      ],
    ]);
    // bob's new call to carol, and bob's call with alice on hold meanwhile.
    const invites = requestsOf(lines, 'INVITE');
    expect(
      invites.map(
        (i) =>
          `${i.uri.kind === 'sip' ? i.uri.user : ''}:${/a=(sendonly|sendrecv)/.exec(i.body.toString())?.[1]}`,
      ),
    ).toEqual(['alice:sendonly', 'carol:sendrecv']);
    expect(requestsOf(lines, 'BYE').map((b) => b.from.uri.kind === 'sip' && b.from.uri.user)).toEqual([
      'alice',
    ]);

    expect(call.state).toBe('ended');
    expect(call.reason).toEqual({ kind: 'transferred', text: 'Transferred to sip:carol@203.0.113.30' });
    expect(call.snapshot().transfer).toEqual({
      role: 'transferor',
      target: 'sip:carol@203.0.113.30',
      state: 'succeeded',
      sipCode: 200,
    });
    expect(bobCall.reason?.kind).toBe('remote-hangup');
    expect(bobCall.snapshot().transfer).toEqual({
      role: 'transferee',
      target: 'sip:carol@203.0.113.30',
      state: 'succeeded',
      sipCode: 200,
    });
    const bobToCarol = bob.last();
    expect(bobToCarol.direction).toBe('outgoing');
    expect(bobToCarol.state).toBe('active');
    await lab.run(1000);
    expect(heard(carol.speakers.get(carol.last().id), TONES.bob)).toBe(true);
    expect(heard(bob.speakers.get(bobToCarol.id), TONES.carol)).toBe(true);
    bobToCarol.hangup();
  });

  it('blind transfer to a busy target: NOTIFY 486 ends the subscription, our call stays', async () => {
    lab = await startLab({ phones: ['alice', 'bob', 'carol'] });
    const { alice, bob, carol } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    await lab.run(50);
    await bob.last().answer();
    await lab.run(500);
    carol.agent.onCall((c) => queueMicrotask(() => c.reject('busy')));
    call.transferTo(carol.uri);
    await lab.run(500);
    expect(call.snapshot().transfer).toEqual({
      role: 'transferor',
      target: 'sip:carol@203.0.113.30',
      state: 'failed',
      sipCode: 486,
    });
    expect(call.phase).toBe('active');
    const last = requestsOf(lab.sip, 'NOTIFY').at(-1)!;
    expect(last.body.toString()).toBe('SIP/2.0 486 Busy Here\r\n');
    expect(last.headers.get('Subscription-State')).toBe('terminated;reason=noresource');
    call.hangup();
  });

  it('attended: REFER with Refer-To ?Replaces= of the consultation call; the target swaps calls (RFC 3891)', async () => {
    lab = await startLab({ phones: ['alice', 'bob', 'carol'] });
    const { alice, bob, carol } = lab.phones;
    const toBob = alice.agent.dial(alice.account, bob.uri);
    await lab.run(50);
    await bob.last().answer();
    await lab.run(300);
    const bobCall = bob.last();
    // The consultation call: alice calls carol, bob goes on hold by itself.
    const toCarol = alice.agent.dial(alice.account, carol.uri);
    await lab.run(50);
    await carol.last().answer();
    await lab.run(300);
    const carolOld = carol.last();
    expect(toBob.state).toBe('held');
    expect(toCarol.state).toBe('active');

    const mark = lab.sip.length;
    expect(toBob.transferReplacing(toCarol).ok).toBe(true);
    await lab.run(500);
    const lines = lab.sip.slice(mark);
    const [refer] = requestsOf(lines, 'REFER');
    const d = toCarol.dialog!;
    const replaces = `${d.id.callId};to-tag=${d.id.remoteTag};from-tag=${d.id.localTag}`;
    expect(refer!.headers.get('Refer-To')).toBe(
      `<sip:carol@203.0.113.30?Replaces=${encodeURIComponent(replaces).replace(/%40/g, '@')}>`,
    );
    const inviteToCarol = requestsOf(lines, 'INVITE').find(
      (i) => i.uri.kind === 'sip' && i.uri.user === 'carol',
    )!;
    const header = inviteToCarol.headers.first(Header.Replaces);
    expect(header.ok && header.value).toMatchObject({
      callId: d.id.callId,
      toTag: d.id.remoteTag,
      fromTag: d.id.localTag,
      earlyOnly: false,
    });
    expect(inviteToCarol.headers.get('Referred-By')).toBe('<sip:alice@203.0.113.10>');

    // carol accepts bob's INVITE, then ends the call it replaces with a BYE alone (no hold re-INVITE
    // first: the new call takes the audio, the replaced one is not put on hold).
    expect(lab.trace(mark).filter((l) => l.startsWith('carol→alice'))).toEqual(['carol→alice BYE']);
    // Both of alice's calls end as transferred: the first by our BYE after the NOTIFY 200, the
    // consultation call by the target's BYE for the dialog its INVITE with Replaces took over.
    expect(toBob.reason).toEqual({ kind: 'transferred', text: 'Transferred to sip:carol@203.0.113.30' });
    expect(toCarol.reason).toEqual({
      kind: 'transferred',
      text: 'Transferred: sip:carol@203.0.113.30 now talks with sip:bob@203.0.113.20',
    });
    expect(carolOld.reason?.kind).toBe('replaced');
    expect(bobCall.reason?.kind).toBe('remote-hangup');
    const bobNew = bob.last();
    const carolNew = carol.last();
    expect(bobNew.state).toBe('active');
    expect(carolNew.state).toBe('active');
    expect(carolNew.remote.uri).toBe('sip:bob@203.0.113.20');
    // The new call says which call it took the place of; it was never answered by anyone.
    expect(carolNew.snapshot().replaces).toBe(carolOld.id);
    expect('replaces' in carolOld.snapshot()).toBe(false);
    expect('replaces' in bobNew.snapshot()).toBe(false);
    await lab.run(1000);
    expect(heard(carol.speakers.get(carolNew.id), TONES.bob)).toBe(true);
    expect(heard(bob.speakers.get(bobNew.id), TONES.carol)).toBe(true);
    expect(alice.agent.calls).toEqual([]);
    bobNew.hangup();
  });

  it('attended: a target that does not end the consultation call — we end it CONSULTATION_END_WAIT_MS after the transfer succeeded', async () => {
    lab = await startLab({ phones: ['alice', 'bob', 'carol'] });
    const { alice, bob, carol } = lab.phones;
    const toBob = alice.agent.dial(alice.account, bob.uri);
    await lab.run(50);
    await bob.last().answer();
    await lab.run(300);
    const toCarol = alice.agent.dial(alice.account, carol.uri);
    await lab.run(50);
    await carol.last().answer();
    await lab.run(300);
    // carol's BYE for the replaced dialog never reaches alice.
    const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
    const dropping = lab.net.dropWhere(
      (p) => p.from.address === '203.0.113.30' && p.to.port === 5060 && text(p.bytes).startsWith('BYE '),
    );
    const mark = lab.sip.length;
    expect(toBob.transferReplacing(toCarol).ok).toBe(true);
    await lab.run(500);
    expect(toBob.reason?.kind).toBe('transferred');
    expect(toCarol.phase).toBe('active');
    await lab.run(CONSULTATION_END_WAIT_MS);
    expect(toCarol.reason).toEqual({
      kind: 'transferred',
      text: 'Transferred: sip:carol@203.0.113.30 now talks with sip:bob@203.0.113.20',
    });
    expect(toCarol.snapshot().endedAt! - toBob.snapshot().endedAt!).toBe(CONSULTATION_END_WAIT_MS);
    expect(lab.trace(mark).filter((l) => l.startsWith('alice→carol'))).toContain('alice→carol BYE');
    dropping.dispose();
    bob.last().hangup();
  });

  it('attended: the target hanging up the consultation call before the REFER was accepted is a hang-up', async () => {
    lab = await startLab({ phones: ['alice', 'bob', 'carol'] });
    const { alice, bob, carol } = lab.phones;
    const toBob = alice.agent.dial(alice.account, bob.uri);
    await lab.run(50);
    await bob.last().answer();
    await lab.run(300);
    const toCarol = alice.agent.dial(alice.account, carol.uri);
    await lab.run(50);
    await carol.last().answer();
    await lab.run(300);
    // The REFER never reaches bob: the transfer stays pending.
    const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
    const dropping = lab.net.dropWhere((p) => text(p.bytes).startsWith('REFER '));
    expect(toBob.transferReplacing(toCarol).ok).toBe(true);
    await lab.run(200);
    carol.last().hangup();
    await lab.run(200);
    expect(toBob.snapshot().transfer?.state).toBe('pending');
    expect(toCarol.reason).toEqual({ kind: 'remote-hangup', text: 'The other side hung up' });
    dropping.dispose();
    toBob.hangup();
  });

  it('INVITE with Replaces for no known dialog gets 481; for a confirmed dialog with early-only, 486', async () => {
    lab = await startLab({ phones: ['alice', 'bob', 'carol'] });
    const { alice, bob, carol } = lab.phones;
    const a = alice.agent.dial(alice.account, carol.uri);
    await lab.run(50);
    await carol.last().answer();
    await lab.run(100);
    const d = a.dialog!;
    const mark = lab.sip.length;
    bob.agent.dial(bob.account, carol.uri, { headers: [['Replaces', `nope;to-tag=x;from-tag=y`]] });
    await lab.run(100);
    expect(lab.trace(mark)).toEqual([
      'bob→carol INVITE',
      'carol→bob 481 Call/Transaction Does Not Exist',
      'bob→carol ACK',
    ]);
    const mark2 = lab.sip.length;
    bob.agent.dial(bob.account, carol.uri, {
      headers: [['Replaces', `${d.id.callId};to-tag=${d.id.remoteTag};from-tag=${d.id.localTag};early-only`]],
    });
    await lab.run(100);
    expect(lab.trace(mark2)).toEqual(['bob→carol INVITE', 'carol→bob 486 Busy Here', 'bob→carol ACK']);
    expect(a.phase).toBe('active');
    a.hangup();
  });
});

describe('call waiting', () => {
  it('a second call rings during a call; answering it holds the first', async () => {
    lab = await startLab({ phones: ['alice', 'bob', 'carol'], account: { alice: { autoAnswer: true } } });
    const { alice, bob, carol } = lab.phones;
    const first = bob.agent.dial(bob.account, alice.uri);
    await lab.run(300);
    expect(first.state).toBe('active');
    const second = carol.agent.dial(carol.account, alice.uri);
    await lab.run(300);
    // Auto-answer does not take a second call: it rings.
    const waiting = alice.last();
    expect(waiting.state).toBe('ringing');
    expect(second.state).toBe('ringing');
    const mark = lab.sip.length;
    await waiting.answer();
    await lab.run(300);
    expect(lab.trace(mark)).toEqual([
      'alice→carol 200 OK',
      'alice→bob INVITE',
      'bob→alice 200 OK',
      'carol→alice ACK',
      'alice→bob ACK',
    ]);
    expect(alice.calls[0]!.state).toBe('held');
    expect(first.state).toBe('remote-held');
    expect(waiting.state).toBe('active');
    // Back to the first: resuming it holds the second.
    alice.calls[0]!.resume();
    await lab.run(300);
    expect(alice.calls[0]!.state).toBe('active');
    expect(waiting.state).toBe('held');
    await lab.run(1000);
    expect(heard(bob.speakers.get(first.id), TONES.alice)).toBe(true);
    first.hangup();
    second.hangup();
  });
});
