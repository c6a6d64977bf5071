import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { SocketAddress } from '../../../../src-main/platform/index.ts';
import { MediaSocket, classifyDatagram } from '../../../../src-main/media/transport/index.ts';

const RTP = Buffer.from([0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
const RTP_MARKER_PT_96 = Buffer.from([0x80, 0xe0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
const RTCP_RR = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
const STUN = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), Buffer.alloc(12)]);

describe('classifyDatagram (RFC 7983 §7, RFC 5761 §4)', () => {
  it('sorts by the first octet, then RTP from RTCP by the second', () => {
    expect(classifyDatagram(STUN)).toBe('stun');
    expect(classifyDatagram(Buffer.concat([Buffer.from([0x10]), Buffer.alloc(11)]))).toBe('zrtp');
    expect(classifyDatagram(Buffer.concat([Buffer.from([22]), Buffer.alloc(12)]))).toBe('dtls');
    expect(classifyDatagram(Buffer.from([0x40, 0x00, 0x00, 0x00]))).toBe('turn-channel');
    expect(classifyDatagram(RTP)).toBe('rtp');
    // Marker + PT 96 = 0xe0 = 224: outside 192–223, so RTP.
    expect(classifyDatagram(RTP_MARKER_PT_96)).toBe('rtp');
    for (const type of [192, 200, 201, 202, 203, 204, 205, 206, 223]) {
      expect(classifyDatagram(Buffer.from([0x81, type, 0, 1, 0, 0, 0, 1]))).toBe('rtcp');
    }
  });

  it('calls unknown what no protocol here starts with, or what is too short for its header', () => {
    expect(classifyDatagram(Buffer.alloc(0))).toBe('unknown');
    expect(classifyDatagram(Buffer.from([0x05, 0, 0, 0]))).toBe('unknown'); // 4–15: unassigned
    expect(classifyDatagram(Buffer.from([0x50, 0, 0, 0]))).toBe('unknown'); // 80–127
    expect(classifyDatagram(Buffer.from([0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('unknown'); // version 3
    expect(classifyDatagram(STUN.subarray(0, 19))).toBe('unknown');
    expect(classifyDatagram(RTP.subarray(0, 11))).toBe('unknown');
    expect(classifyDatagram(RTCP_RR.subarray(0, 7))).toBe('unknown');
  });
});

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
    const stats = media.stats;
    expect(stats.received).toMatchObject({ stun: 1, dtls: 1, unknown: 1, rtp: 0 });
    expect([stats.unhandled, stats.unknown]).toEqual([1, 2]);
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
