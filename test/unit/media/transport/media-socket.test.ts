import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { SocketAddress } from '../../../../src-main/platform/index.ts';
import { MediaSocket } from '../../../../src-main/media/transport/index.ts';

const RTP = Buffer.from([0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
const RTCP_RR = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
const STUN = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), Buffer.alloc(12)]);

describe('MediaSocket', () => {
  async function pair() {
    const clock = new FakeClock();
    const net = new MemoryNetwork(clock);
    const a = net.host('203.0.113.1');
    const b = net.host('203.0.113.2');
    const media = new MediaSocket(await a.bindDatagram({ family: 4, port: 20_000 }), 'rtp');
    const peer = await b.bindDatagram({ family: 4, port: 30_000 });
    const to: SocketAddress = { address: '203.0.113.1', port: 20_000, family: 4 };
    return { clock, net, media, peer, to };
  }

  it('hands each class to its listener with the source address, and the STUN hook can answer on the same socket', async () => {
    const { clock, net, media, peer, to } = await pair();
    const seen: string[] = [];
    media.onRtp((data, from) => seen.push(`rtp ${data.length} from ${from.address}:${from.port}`));
    media.onRtcp((data) => seen.push(`rtcp ${data[1]}`));
    media.onChannelData(() => seen.push('channel'));
    media.onStun((data, from) => {
      seen.push('stun');
      media.send(Buffer.from(data), from); // an ICE agent answering a check from the media socket
    });
    const echoes: SocketAddress[] = [];
    peer.onMessage((_, from) => echoes.push(from));
    for (const d of [STUN, RTP, RTCP_RR, Buffer.from([0x40, 0x01, 0x00, 0x00])]) peer.send(d, to);
    clock.advance(0);
    expect(seen).toEqual(['stun', 'rtp 12 from 203.0.113.2:30000', 'rtcp 201', 'channel']);
    expect(echoes).toEqual([{ address: '203.0.113.1', port: 20_000, family: 4 }]);
    expect(media.stats).toMatchObject({ unhandled: 0, unknown: 0, sent: 1, sentBytes: 20 });
    media.close();
    peer.close();
    expect(net.openSockets()).toBe(0);
  });

  it('drops and counts datagrams nobody handles and protocols it does not speak', async () => {
    const { clock, net, media, peer, to } = await pair();
    peer.send(STUN, to); // no STUN listener yet
    peer.send(Buffer.concat([Buffer.from([23]), Buffer.alloc(20)]), to); // DTLS
    peer.send(Buffer.from([0x05, 1, 2, 3]), to);
    clock.advance(0);
    // First octet in STUN's range, but no magic cookie: not STUN (media/stun's classifyPacket).
    const stunListener: Buffer[] = [];
    const sub0 = media.onStun((data) => stunListener.push(data));
    peer.send(Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00]), Buffer.alloc(16)]), to);
    clock.advance(0);
    sub0.dispose();
    const stats = media.stats;
    expect(stats.received).toMatchObject({ stun: 1, dtls: 1, other: 2, rtp: 0 });
    expect([stats.unhandled, stats.unknown, stunListener.length]).toEqual([1, 3, 0]);
    const sub = media.onRtp(() => undefined);
    expect(media.listenerCount).toBe(1);
    sub.dispose();
    expect(media.listenerCount).toBe(0);
    media.onRtp(() => undefined);
    media.close();
    expect([media.closed, media.listenerCount]).toEqual([true, 0]);
    expect(() => media.send(RTP, { address: '203.0.113.2', port: 30_000, family: 4 })).toThrow();
    peer.close();
    expect(net.openSockets()).toBe(0);
  });
});

describe('MediaSocket early media hold', () => {
  const PEER: SocketAddress = { address: '203.0.113.2', port: 30_000, family: 4 };

  async function holding(hold: { maxPackets?: number; maxAgeMs?: number } = {}) {
    const clock = new FakeClock();
    const net = new MemoryNetwork(clock);
    const media = new MediaSocket(
      await net.host('203.0.113.1').bindDatagram({ family: 4, port: 20_000 }),
      'rtp',
    );
    const peer = await net.host('203.0.113.2').bindDatagram({ family: 4, port: 30_000 });
    const to: SocketAddress = { address: '203.0.113.1', port: 20_000, family: 4 };
    media.holdUnclaimedMedia({ clock, ...hold });
    const cleanup = () => {
      media.close();
      peer.close();
      expect(net.openSockets()).toBe(0);
      expect(clock.pendingTimers()).toBe(0);
    };
    return { clock, media, peer, to, cleanup };
  }

  const rtpWithSeq = (seq: number): Buffer => {
    const b = Buffer.from(RTP);
    b.writeUInt16BE(seq, 2);
    return b;
  };

  it('keeps RTP and RTCP nobody listens for and gives them out once, oldest first, with source and arrival time', async () => {
    const { clock, media, peer, to, cleanup } = await holding();
    peer.send(rtpWithSeq(1), to);
    clock.advance(20);
    peer.send(RTCP_RR, to);
    peer.send(STUN, to); // not media: dropped as before
    clock.advance(20);
    expect(media.stats).toMatchObject({ held: 2, heldDropped: 0, unhandled: 1 });
    const held = media.takeHeldMedia();
    expect(held.map((h) => [h.kind, h.data.readUInt16BE(2), h.from, h.receivedAt])).toEqual([
      ['rtp', 1, PEER, 0],
      ['rtcp', 1, PEER, 20],
    ]);
    // The hold is over: later unclaimed media is dropped, and there is nothing more to take.
    peer.send(rtpWithSeq(2), to);
    clock.advance(0);
    expect(media.takeHeldMedia()).toEqual([]);
    expect(media.stats).toMatchObject({ held: 2, heldDropped: 0, unhandled: 2 });
    cleanup();
  });

  it('keeps only the newest maxPackets', async () => {
    const { clock, media, peer, to, cleanup } = await holding({ maxPackets: 3 });
    for (let seq = 1; seq <= 5; seq++) {
      peer.send(rtpWithSeq(seq), to);
      clock.advance(10);
    }
    expect(media.takeHeldMedia().map((h) => h.data.readUInt16BE(2))).toEqual([3, 4, 5]);
    expect(media.stats).toMatchObject({ held: 5, heldDropped: 2 });
    cleanup();
  });

  it('gives out none older than maxAgeMs (default 5 packets, 100 ms)', async () => {
    const { clock, media, peer, to, cleanup } = await holding();
    // 7 packets 20 ms apart (at 0 … 120 ms): the count pushes out the first two as 6 and 7 arrive.
    for (let seq = 1; seq <= 7; seq++) {
      peer.send(rtpWithSeq(seq), to);
      clock.advance(20);
    }
    expect(media.stats).toMatchObject({ held: 7, heldDropped: 2 });
    // Taken at 170 ms: 3 (40 ms) and 4 (60 ms) are older than 100 ms.
    clock.advance(30);
    expect(media.takeHeldMedia().map((h) => [h.data.readUInt16BE(2), h.receivedAt])).toEqual([
      [5, 80],
      [6, 100],
      [7, 120],
    ]);
    expect(media.stats).toMatchObject({ held: 7, heldDropped: 4 });
    cleanup();
  });

  it('hands media to a listener as usual while holding, and forgets the hold on close', async () => {
    const { clock, media, peer, to, cleanup } = await holding();
    const seen: number[] = [];
    const sub = media.onRtp((data) => seen.push(data.readUInt16BE(2)));
    peer.send(rtpWithSeq(1), to);
    clock.advance(0);
    sub.dispose();
    peer.send(rtpWithSeq(2), to);
    clock.advance(0);
    expect(seen).toEqual([1]);
    expect(media.stats).toMatchObject({ held: 1, unhandled: 0 });
    media.close();
    expect(media.takeHeldMedia()).toEqual([]);
    cleanup();
  });
});
