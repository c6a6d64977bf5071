/**
 * IceMediaPath and the early media its sockets held (MediaSocket.holdUnclaimedMedia): delivered only
 * from the remote of a pair the agent accepts media on, at the moment it is delivered.
 */
import { describe, expect, it } from 'vitest';
import { IceMediaPath } from '../../../../../src-main/media/transport/index.ts';
import type { ReceivedMediaPacket } from '../../../../../src-main/media/transport/index.ts';
import { formatAddress } from '../../../../../src-main/platform/index.ts';
import type { SocketAddress } from '../../../../../src-main/platform/index.ts';
import { createIceLab, exchange, rtpPacket } from './support/ice-lab.ts';
import type { Phone } from './support/ice-lab.ts';

const A: SocketAddress = { address: '203.0.113.10', port: 40_000, family: 4 };

function pathOf(phone: Phone): { path: IceMediaPath; received: string[] } {
  const path = new IceMediaPath(phone.agent);
  phone.path = path;
  const received: string[] = [];
  path.onPacket((p: ReceivedMediaPacket) =>
    received.push(`${p.kind} ${p.data.readUInt16BE(2)} from ${formatAddress(p.from)}`),
  );
  return { path, received };
}

describe('IceMediaPath: held early media', () => {
  it('delivers held RTP from the selected pair’s remote and drops a third party’s', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', {});
    const b = await lab.phone('b', {});
    a.rtp.holdUnclaimedMedia({ clock: lab.clock });
    const attacker = await lab.attacker.bindDatagram({ family: 4, port: 50_000 });
    await exchange(lab, a, b);
    await lab.runUntil(() => a.agent.state === 'connected' && b.agent.state === 'connected');
    // Media reaches a's socket before a's path exists (its answer is still on the way).
    b.rtp.send(rtpPacket(7), A);
    attacker.send(rtpPacket(666), A);
    b.rtp.send(rtpPacket(8), A);
    await lab.run(0);
    expect(a.rtp.stats).toMatchObject({ held: 3, unhandled: 0 });

    const { path, received } = pathOf(a);
    expect(received).toEqual([]);
    path.deliverHeld();
    expect(received).toEqual(['rtp 7 from 203.0.113.20:50000', 'rtp 8 from 203.0.113.20:50000']);
    expect(path.stats).toMatchObject({
      accepted: { rtp: 2, rtcp: 0 },
      dropped: { heldForeignSource: 1, foreignSource: 0 },
    });
    attacker.close();
    await lab.close();
  });

  it('drops media held before the agent accepts any source, and takes the live stream once it does', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', {});
    const b = await lab.phone('b', {});
    a.rtp.holdUnclaimedMedia({ clock: lab.clock });
    b.rtp.send(rtpPacket(1), A);
    await lab.run(0);
    // The session starts before the checks did: nothing is verified yet, so nothing is delivered.
    const { path, received } = pathOf(a);
    path.deliverHeld();
    expect(received).toEqual([]);
    expect(path.stats.dropped.heldForeignSource).toBe(1);
    await exchange(lab, a, b);
    await lab.runUntil(() => a.agent.state === 'connected' && b.agent.state === 'connected');
    b.rtp.send(rtpPacket(2), A);
    await lab.run(0);
    expect(received).toEqual(['rtp 2 from 203.0.113.20:50000']);
    await lab.close();
  });
});
