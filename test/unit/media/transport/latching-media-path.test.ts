import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { DatagramSocket, MemoryHost, SocketAddress } from '../../../../src-main/platform/index.ts';
import { LatchingMediaPath, MediaSocket } from '../../../../src-main/media/transport/index.ts';
import { SrtpProtection, SrtpReceiver, SrtpSender } from '../../../../src-main/media/rtp/index.ts';
import type {
  LatchingMediaPathOptions,
  MediaRoute,
  ReceivedMediaPacket,
} from '../../../../src-main/media/transport/index.ts';

const US = '203.0.113.1';
const PEER = '203.0.113.2';
const PEER_PRIVATE = '10.0.0.2';
const NAT_PUBLIC = '198.51.100.1';
const ATTACKER = '203.0.113.66';

function rtp(pt: number, seq: number, ssrc: number): Buffer {
  const b = Buffer.alloc(12 + 4);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

function rtcp(ssrc: number): Buffer {
  const b = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 0]);
  b.writeUInt32BE(ssrc, 4);
  return b;
}

const addr = (address: string, port: number): SocketAddress => ({ address, port, family: 4 });

interface Fixture {
  clock: FakeClock;
  net: MemoryNetwork;
  path: LatchingMediaPath;
  rtpSocket: MediaSocket;
  rtcpSocket: MediaSocket | undefined;
  received: string[];
  routes: MediaRoute[];
  socketOn(host: MemoryHost, port: number): Promise<DatagramSocket>;
  cleanup(): void;
}

async function fixture(options: {
  mux: boolean;
  nat?: boolean;
  path?: Partial<LatchingMediaPathOptions>;
}): Promise<Fixture> {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  net.host(US);
  const extra: DatagramSocket[] = [];
  const us = net.hosts[0]!;
  const rtpSocket = new MediaSocket(await us.bindDatagram({ family: 4, port: 20_000 }), 'rtp');
  const rtcpSocket = options.mux
    ? undefined
    : new MediaSocket(await us.bindDatagram({ family: 4, port: 20_001 }), 'rtcp');
  const peerAddress = options.nat ? PEER_PRIVATE : PEER;
  const path = new LatchingMediaPath({
    clock,
    rtpSocket,
    rtcpSocket,
    remote: {
      rtp: addr(peerAddress, 30_000),
      rtcp: addr(peerAddress, 30_001),
      rtcpMux: options.mux,
      payloadTypes: [0, 101],
    },
    ...options.path,
  });
  const received: string[] = [];
  const routes: MediaRoute[] = [];
  path.onPacket((p: ReceivedMediaPacket) => received.push(`${p.kind} ${p.from.address}:${p.from.port}`));
  path.onRouteChange((r) => routes.push(r));
  return {
    clock,
    net,
    path,
    rtpSocket,
    rtcpSocket,
    received,
    routes,
    async socketOn(host, port) {
      const s = await host.bindDatagram({ family: 4, port });
      extra.push(s);
      return s;
    },
    cleanup() {
      path.dispose();
      rtpSocket.close();
      rtcpSocket?.close();
      for (const s of extra) s.close();
      expect(net.openSockets()).toBe(0);
    },
  };
}

const OURS = addr(US, 20_000);
const OURS_RTCP = addr(US, 20_001);

describe('LatchingMediaPath', () => {
  it('sends RTP to the SDP address and RTCP to a=rtcp (or port + 1) before anything arrives', async () => {
    const f = await fixture({ mux: false });
    const peerHost = f.net.host(PEER);
    const peerRtp = await f.socketOn(peerHost, 30_000);
    const peerRtcp = await f.socketOn(peerHost, 30_001);
    const got: string[] = [];
    peerRtp.onMessage((d, from) => got.push(`rtp ${d[1]} from ${from.port}`));
    peerRtcp.onMessage((d, from) => got.push(`rtcp ${d[1]} from ${from.port}`));
    f.path.send('rtp', rtp(0, 1, 7));
    f.path.send('rtcp', rtcp(7));
    f.clock.advance(0);
    expect(got).toEqual(['rtp 0 from 20000', 'rtcp 201 from 20001']);
    expect(f.path.route).toEqual({
      local: addr('0.0.0.0', 20_000),
      remote: addr(PEER, 30_000),
      remoteRtcp: addr(PEER, 30_001),
      kind: 'latched',
      relayed: false,
    });
    f.cleanup();
  });

  it('latches to the NAT mapping of a peer that advertised its private address, for RTP and RTCP', async () => {
    const f = await fixture({ mux: false, nat: true });
    const nat = f.net.addNat({ publicAddress: NAT_PUBLIC, portPreservation: false, firstPort: 40_000 });
    const peerHost = f.net.host(PEER_PRIVATE, { nat });
    const peerRtp = await f.socketOn(peerHost, 30_000);
    const peerRtcp = await f.socketOn(peerHost, 30_001);
    const heard: string[] = [];
    peerRtp.onMessage((d) => heard.push(`rtp ${d[1]}`));
    peerRtcp.onMessage((d) => heard.push(`rtcp ${d[1]}`));

    // Our first packets go to the private address: lost.
    f.path.send('rtp', rtp(0, 1, 7));
    f.clock.advance(0);
    expect(f.net.sent.at(-1)?.dropReason).toBe('no-route');

    peerRtp.send(rtp(0, 100, 0xabc), OURS);
    peerRtcp.send(rtcp(0xabc), OURS_RTCP);
    f.clock.advance(0);
    expect(f.received).toEqual([`rtp ${NAT_PUBLIC}:40000`, `rtcp ${NAT_PUBLIC}:40001`]);
    expect(f.path.route).toMatchObject({
      remote: addr(NAT_PUBLIC, 40_000),
      remoteRtcp: addr(NAT_PUBLIC, 40_001),
    });
    expect(f.routes.map((r) => r.remote.port)).toEqual([40_000, 40_000]);

    f.path.send('rtp', rtp(0, 2, 7));
    f.path.send('rtcp', rtcp(7));
    f.clock.advance(0);
    expect(heard).toEqual(['rtp 0', 'rtcp 201']);
    expect(f.path.stats).toMatchObject({ state: 'latched', latches: 1, accepted: { rtp: 1, rtcp: 1 } });
    f.cleanup();
  });

  it('drops and counts RTP from any other source after latching, even with the right SSRC and payload type', async () => {
    const f = await fixture({ mux: true });
    const peer = await f.socketOn(f.net.host(PEER), 30_000);
    const attacker = await f.socketOn(f.net.host(ATTACKER), 30_000);
    for (let i = 0; i < 5; i++) peer.send(rtp(0, i, 0xabc), OURS);
    f.clock.advance(20);
    for (let i = 5; i < 20; i++) attacker.send(rtp(0, i, 0xabc), OURS);
    attacker.send(rtcp(0xabc), OURS);
    f.clock.advance(20);
    expect(f.received).toHaveLength(5);
    expect(f.path.stats.dropped).toEqual({
      foreignSource: 16,
      unexpectedPayloadType: 0,
      unexpectedSsrc: 0,
      misdirected: 0,
      heldForeignSource: 0,
      unauthenticated: 0,
    });
    expect(f.path.route.remote).toEqual(addr(PEER, 30_000));
    f.cleanup();
  });

  it('latches only on payload types the peer offered', async () => {
    const f = await fixture({ mux: true });
    const stranger = await f.socketOn(f.net.host(ATTACKER), 30_000);
    stranger.send(rtp(96, 1, 5), OURS);
    f.clock.advance(0);
    expect(f.path.stats).toMatchObject({ state: 'learning', dropped: { unexpectedPayloadType: 1 } });
    expect(f.received).toEqual([]);
    f.cleanup();
  });

  it('moves to a new source only after the latched one was silent and the new one sent enough in sequence', async () => {
    const f = await fixture({ mux: true, path: { relatch: { silenceMs: 1000, packets: 3 } } });
    const peerHost = f.net.host(PEER);
    const before = await f.socketOn(peerHost, 30_000);
    const after = await f.socketOn(peerHost, 31_000); // e.g. a NAT rebinding gave the peer a new port
    before.send(rtp(0, 1, 0xabc), OURS);
    f.clock.advance(500);
    // Too early: the latched source spoke 500 ms ago.
    for (let i = 2; i < 6; i++) after.send(rtp(0, i, 0xabc), OURS);
    f.clock.advance(600);
    expect(f.path.route.remote.port).toBe(30_000);
    // Silent for 1100 ms now; a broken sequence does not count…
    after.send(rtp(0, 10, 0xabc), OURS);
    after.send(rtp(0, 12, 0xabc), OURS);
    after.send(rtp(0, 13, 0xabc), OURS);
    f.clock.advance(0);
    expect(f.path.route.remote.port).toBe(30_000);
    // …three in a row do, and the third is delivered.
    after.send(rtp(0, 14, 0xabc), OURS);
    f.clock.advance(0);
    expect(f.path.route.remote.port).toBe(31_000);
    expect(f.received).toEqual([`rtp ${PEER}:30000`, `rtp ${PEER}:31000`]);
    expect(f.path.stats.latches).toBe(2);
    f.cleanup();
  });

  it('never relatches on silence when the policy is off', async () => {
    const f = await fixture({ mux: true, path: { relatch: false } });
    const peerHost = f.net.host(PEER);
    const before = await f.socketOn(peerHost, 30_000);
    const after = await f.socketOn(peerHost, 31_000);
    before.send(rtp(0, 1, 0xabc), OURS);
    f.clock.advance(60_000);
    for (let i = 2; i < 100; i++) after.send(rtp(0, i, 0xabc), OURS);
    f.clock.advance(0);
    expect(f.path.route.remote.port).toBe(30_000);
    expect(f.path.stats.dropped.foreignSource).toBe(98);
    f.cleanup();
  });

  it('lets the exact SDP address win back a stream latched elsewhere', async () => {
    const f = await fixture({ mux: true });
    const attacker = await f.socketOn(f.net.host(ATTACKER), 30_000);
    const peer = await f.socketOn(f.net.host(PEER), 30_000);
    attacker.send(rtp(0, 1, 1), OURS);
    f.clock.advance(0);
    expect(f.path.route.remote.address).toBe(ATTACKER);
    peer.send(rtp(0, 1, 2), OURS);
    f.clock.advance(0);
    expect(f.path.route.remote.address).toBe(PEER);
    attacker.send(rtp(0, 2, 1), OURS);
    f.clock.advance(0);
    expect(f.path.stats.dropped.foreignSource).toBe(1);
    f.cleanup();
  });

  it('drops another SSRC from the latched address only with lockSsrc', async () => {
    for (const lockSsrc of [false, true]) {
      const f = await fixture({ mux: true, path: { lockSsrc } });
      const peer = await f.socketOn(f.net.host(PEER), 30_000);
      peer.send(rtp(0, 1, 0xabc), OURS);
      peer.send(rtp(0, 500, 0xdef), OURS); // the PBX bridged us to another source
      f.clock.advance(0);
      expect(f.received.length).toBe(lockSsrc ? 1 : 2);
      expect(f.path.stats.dropped.unexpectedSsrc).toBe(lockSsrc ? 1 : 0);
      f.cleanup();
    }
  });

  it('on a re-INVITE keeps sending to the latched source, learns again, and resets on a new address', async () => {
    const f = await fixture({ mux: true, path: { relatch: false } });
    const peerHost = f.net.host(PEER);
    const first = await f.socketOn(peerHost, 30_000);
    const rebound = await f.socketOn(peerHost, 32_000);
    const heard: number[] = [];
    first.onMessage(() => heard.push(30_000));
    rebound.onMessage(() => heard.push(32_000));
    first.send(rtp(0, 1, 1), OURS);
    f.clock.advance(0);
    const sameSdp = { rtp: addr(PEER, 30_000), rtcp: addr(PEER, 30_001), rtcpMux: true, payloadTypes: [8] };
    f.path.updateRemote(sameSdp);
    expect(f.path.latchState).toBe('learning');
    f.path.send('rtp', rtp(8, 1, 9));
    f.clock.advance(0);
    expect(heard).toEqual([30_000]);
    // The peer now sends from another port (its NAT mapping changed while it was on hold).
    rebound.send(rtp(8, 2, 1), OURS);
    f.clock.advance(0);
    f.path.send('rtp', rtp(8, 2, 9));
    f.clock.advance(0);
    expect(heard).toEqual([30_000, 32_000]);
    // A new address in the SDP resets the destination.
    f.path.updateRemote({ ...sameSdp, rtp: addr('203.0.113.3', 40_000), rtcp: addr('203.0.113.3', 40_000) });
    expect(f.path.route).toMatchObject({
      remote: addr('203.0.113.3', 40_000),
      remoteRtcp: addr('203.0.113.3', 40_000),
    });
    f.cleanup();
  });

  it('refuses RTCP from strangers and counts RTP on the RTCP socket', async () => {
    const f = await fixture({ mux: false });
    const attacker = await f.socketOn(f.net.host(ATTACKER), 30_001);
    attacker.send(rtcp(1), OURS_RTCP);
    attacker.send(rtp(0, 1, 1), OURS_RTCP);
    f.clock.advance(0);
    expect(f.received).toEqual([]);
    expect(f.path.stats.dropped).toMatchObject({ foreignSource: 1, misdirected: 1 });
    f.cleanup();
  });

  it('detaches on dispose and refuses to send afterwards', async () => {
    const f = await fixture({ mux: true });
    expect(f.path.listenerCount).toBe(2);
    expect(f.rtpSocket.listenerCount).toBe(2);
    f.path.dispose();
    expect([f.path.listenerCount, f.rtpSocket.listenerCount]).toEqual([0, 0]);
    expect(() => f.path.send('rtp', rtp(0, 1, 1))).toThrow(/after dispose/);
    expect(
      () =>
        new LatchingMediaPath({
          clock: f.clock,
          rtpSocket: f.rtpSocket,
          remote: { rtp: OURS, rtcp: OURS, rtcpMux: false, payloadTypes: [] },
        }),
    ).toThrow(/RTCP socket/);
    f.cleanup();
  });
});

describe('LatchingMediaPath: early media the sockets held (deliverHeld)', () => {
  /** Sockets that hold from the start; `open()` builds the path on them later, as the answer would. */
  async function early(options: { mux: boolean; sdp?: string }) {
    const clock = new FakeClock();
    const net = new MemoryNetwork(clock);
    const us = net.host(US);
    const rtpSocket = new MediaSocket(await us.bindDatagram({ family: 4, port: 20_000 }), 'rtp');
    const rtcpSocket = options.mux
      ? undefined
      : new MediaSocket(await us.bindDatagram({ family: 4, port: 20_001 }), 'rtcp');
    rtpSocket.holdUnclaimedMedia({ clock });
    rtcpSocket?.holdUnclaimedMedia({ clock });
    const extra: DatagramSocket[] = [];
    const received: string[] = [];
    let path: LatchingMediaPath | undefined;
    const sdp = options.sdp ?? PEER;
    return {
      clock,
      net,
      received,
      async socketOn(host: MemoryHost, port: number): Promise<DatagramSocket> {
        const s = await host.bindDatagram({ family: 4, port });
        extra.push(s);
        return s;
      },
      open(): LatchingMediaPath {
        path = new LatchingMediaPath({
          clock,
          rtpSocket,
          rtcpSocket,
          remote: {
            rtp: addr(sdp, 30_000),
            rtcp: addr(sdp, 30_001),
            rtcpMux: options.mux,
            payloadTypes: [0, 101],
          },
        });
        path.onPacket((p) => {
          const type = p.kind === 'rtp' ? p.data[1]! & 0x7f : p.data[1]; // payload type, RTCP packet type
          received.push(`${p.kind} ${type} ${p.from.address}:${p.from.port}`);
        });
        path.deliverHeld();
        return path;
      },
      cleanup(): void {
        path?.dispose();
        rtpSocket.close();
        rtcpSocket?.close();
        for (const s of extra) s.close();
        expect(net.openSockets()).toBe(0);
        expect(clock.pendingTimers()).toBe(0);
      },
    };
  }

  it('delivers held RTP and RTCP from the SDP address once it exists, latched there', async () => {
    const e = await early({ mux: true });
    const peer = await e.socketOn(e.net.host(PEER), 30_000);
    peer.send(rtp(0, 1, 0xabc), OURS);
    e.clock.advance(20);
    peer.send(rtp(0, 2, 0xabc), OURS);
    peer.send(rtcp(0xabc), OURS);
    e.clock.advance(5);
    expect(e.received).toEqual([]);
    const path = e.open();
    expect(e.received).toEqual([`rtp 0 ${PEER}:30000`, `rtp 0 ${PEER}:30000`, `rtcp 201 ${PEER}:30000`]);
    expect(path.stats).toMatchObject({ state: 'latched', latches: 1, accepted: { rtp: 2, rtcp: 1 } });
    // Delivered once: the hold is over.
    path.deliverHeld();
    expect(e.received).toHaveLength(3);
    e.cleanup();
  });

  it('never plays nor latches held RTP from a third address, even when it came first', async () => {
    const e = await early({ mux: true });
    const attacker = await e.socketOn(e.net.host(ATTACKER), 30_000);
    const peer = await e.socketOn(e.net.host(PEER), 30_000);
    attacker.send(rtp(0, 500, 0x666), OURS);
    e.clock.advance(5);
    peer.send(rtp(0, 1, 0xabc), OURS);
    e.clock.advance(5);
    const path = e.open();
    expect(e.received).toEqual([`rtp 0 ${PEER}:30000`]);
    expect(path.route.remote).toEqual(addr(PEER, 30_000));
    expect(path.stats).toMatchObject({
      state: 'latched',
      dropped: { heldForeignSource: 1, foreignSource: 0 },
    });
    e.cleanup();
  });

  it('leaves a path whose held RTP all came from elsewhere learning: the peer’s first live packet latches', async () => {
    const e = await early({ mux: true });
    const attacker = await e.socketOn(e.net.host(ATTACKER), 30_000);
    const peer = await e.socketOn(e.net.host(PEER), 30_000);
    for (let seq = 1; seq <= 3; seq++) attacker.send(rtp(0, seq, 0x666), OURS);
    e.clock.advance(5);
    const path = e.open();
    expect(e.received).toEqual([]);
    expect(path.stats).toMatchObject({ state: 'learning', latches: 0, dropped: { heldForeignSource: 3 } });
    peer.send(rtp(0, 1, 0xabc), OURS);
    e.clock.advance(0);
    expect(e.received).toEqual([`rtp 0 ${PEER}:30000`]);
    expect(path.route.remote).toEqual(addr(PEER, 30_000));
    e.cleanup();
  });

  it('loses a NATed peer’s held RTP (its source is not the SDP address) and latches on its first live packet', async () => {
    const e = await early({ mux: true, sdp: PEER_PRIVATE });
    const nat = e.net.addNat({ publicAddress: NAT_PUBLIC, portPreservation: false, firstPort: 40_000 });
    const peer = await e.socketOn(e.net.host(PEER_PRIVATE, { nat }), 30_000);
    peer.send(rtp(0, 1, 0xabc), OURS);
    e.clock.advance(5);
    const path = e.open();
    expect(e.received).toEqual([]);
    expect(path.stats.dropped.heldForeignSource).toBe(1);
    peer.send(rtp(0, 2, 0xabc), OURS);
    e.clock.advance(0);
    expect(e.received).toEqual([`rtp 0 ${NAT_PUBLIC}:40000`]);
    e.cleanup();
  });

  it('without rtcp-mux: held RTCP from a=rtcp is delivered, held RTP on the RTCP socket is misdirected', async () => {
    const e = await early({ mux: false });
    const peerHost = e.net.host(PEER);
    const peerRtp = await e.socketOn(peerHost, 30_000);
    const peerRtcp = await e.socketOn(peerHost, 30_001);
    peerRtp.send(rtp(0, 1, 0xabc), OURS);
    peerRtcp.send(rtcp(0xabc), OURS_RTCP);
    peerRtcp.send(rtp(0, 2, 0xabc), OURS_RTCP);
    e.clock.advance(5);
    const path = e.open();
    expect(e.received).toEqual([`rtp 0 ${PEER}:30000`, `rtcp 201 ${PEER}:30001`]);
    expect(path.route).toMatchObject({ remote: addr(PEER, 30_000), remoteRtcp: addr(PEER, 30_001) });
    expect(path.stats.dropped).toMatchObject({ misdirected: 1, heldForeignSource: 0 });
    e.cleanup();
  });
});

describe('LatchingMediaPath with SRTP: only authenticated packets latch', () => {
  const OUR_KEY = Buffer.alloc(30, 0x11);
  const PEER_KEY = Buffer.alloc(30, 0x22);
  const SUITE = 'AES_CM_128_HMAC_SHA1_80';
  const protection = (): SrtpProtection =>
    new SrtpProtection({ suite: SUITE, localKey: OUR_KEY, remoteKey: PEER_KEY });

  it('a third party\u2019s plain RTP arriving first never latches (it would without SRTP); the peer\u2019s SRTP does', async () => {
    for (const srtp of [false, true]) {
      // The peer is behind a NAT: its SDP address is private, so latching is all that finds it.
      const f = await fixture({ mux: true, nat: true, path: srtp ? { protection: protection() } : {} });
      const nat = f.net.addNat({ publicAddress: NAT_PUBLIC, portPreservation: false, firstPort: 40_000 });
      const peer = await f.socketOn(f.net.host(PEER_PRIVATE, { nat }), 30_000);
      const attacker = await f.socketOn(f.net.host(ATTACKER), 30_000);
      const peerSrtp = new SrtpSender(SUITE, PEER_KEY);
      attacker.send(rtp(0, 1, 0x666), OURS);
      f.clock.advance(1);
      peer.send(srtp ? peerSrtp.protectRtp(rtp(0, 1, 0xabc)) : rtp(0, 1, 0xabc), OURS);
      f.clock.advance(1);
      if (!srtp) {
        expect(f.path.route.remote.address).toBe(ATTACKER);
      } else {
        expect(f.path.route.remote).toEqual(addr(NAT_PUBLIC, 40_000));
        expect(f.received).toEqual([`rtp ${NAT_PUBLIC}:40000`]);
        expect(f.path.stats).toMatchObject({ state: 'latched', latches: 1, dropped: { unauthenticated: 1 } });
      }
      f.cleanup();
    }
  });

  it('forged tags, replays of the peer\u2019s packets from elsewhere and garbage are dropped and counted, never delivered', async () => {
    const f = await fixture({ mux: true, nat: true, path: { protection: protection() } });
    const attacker = await f.socketOn(f.net.host(ATTACKER), 30_000);
    const peer = await f.socketOn(f.net.host(PEER), 30_000);
    const peerSrtp = new SrtpSender(SUITE, PEER_KEY);
    const genuine = peerSrtp.protectRtp(rtp(0, 7, 0xabc));
    const forged = Buffer.from(genuine);
    forged[14] = forged[14]! ^ 0x40;
    attacker.send(forged, OURS);
    attacker.send(Buffer.concat([rtp(0, 8, 0xabc), Buffer.alloc(10)]), OURS);
    f.clock.advance(1);
    expect(f.path.stats).toMatchObject({ state: 'learning', latches: 0, dropped: { unauthenticated: 2 } });
    peer.send(genuine, OURS);
    f.clock.advance(1);
    // The peer's packet, captured and sent again from elsewhere: a replay, dropped.
    attacker.send(genuine, OURS);
    f.clock.advance(1);
    expect(f.received).toEqual([`rtp ${PEER}:30000`]);
    expect(f.path.route.remote).toEqual(addr(PEER, 30_000));
    // (As a would-be relatch candidate it went through the protection: counted as refused there.)
    expect(f.path.stats.dropped).toMatchObject({ unauthenticated: 3, foreignSource: 0 });
    f.cleanup();
  });

  it('a tampered packet from the latched source itself is dropped; the stream goes on', async () => {
    const f = await fixture({ mux: true, path: { protection: protection() } });
    const peer = await f.socketOn(f.net.host(PEER), 30_000);
    const peerSrtp = new SrtpSender(SUITE, PEER_KEY);
    const packets = [1, 2, 3].map((seq) => peerSrtp.protectRtp(rtp(0, seq, 0xabc)));
    packets[1]![20] = packets[1]![20]! ^ 1;
    for (const p of packets) peer.send(p, OURS);
    f.clock.advance(1);
    expect(f.received).toHaveLength(2);
    expect(f.path.stats.dropped.unauthenticated).toBe(1);
    f.cleanup();
  });

  it('relatches only to a new source whose packets authenticate', async () => {
    const f = await fixture({
      mux: true,
      path: { protection: protection(), relatch: { silenceMs: 1000, packets: 3 } },
    });
    const peerHost = f.net.host(PEER);
    const before = await f.socketOn(peerHost, 30_000);
    const after = await f.socketOn(peerHost, 31_000);
    const attacker = await f.socketOn(f.net.host(ATTACKER), 30_000);
    const peerSrtp = new SrtpSender(SUITE, PEER_KEY);
    before.send(peerSrtp.protectRtp(rtp(0, 1, 0xabc)), OURS);
    f.clock.advance(2000);
    // A consistent in-sequence stream from the attacker, but not under the peer's key: never enough.
    for (let seq = 2; seq < 20; seq++)
      attacker.send(Buffer.concat([rtp(0, seq, 0x666), Buffer.alloc(10)]), OURS);
    f.clock.advance(1);
    expect(f.path.route.remote.port).toBe(30_000);
    expect(f.path.stats.dropped.unauthenticated).toBe(18);
    // The peer, rebound to a new port, sends three in a row under its key: the stream moves.
    for (let seq = 2; seq <= 4; seq++) after.send(peerSrtp.protectRtp(rtp(0, seq, 0xabc)), OURS);
    f.clock.advance(1);
    expect(f.path.route.remote.port).toBe(31_000);
    expect(f.received).toEqual([`rtp ${PEER}:30000`, `rtp ${PEER}:31000`]);
    f.cleanup();
  });

  it('without rtcp-mux, RTCP fixes its source only when it authenticates; what we send is SRTP/SRTCP', async () => {
    const f = await fixture({ mux: false, path: { protection: protection() } });
    const peerHost = f.net.host(PEER);
    const peerRtp = await f.socketOn(peerHost, 30_000);
    const peerRtcp = await f.socketOn(peerHost, 30_001);
    const peerSrtp = new SrtpSender(SUITE, PEER_KEY);
    const peerOpens = new SrtpReceiver(SUITE, OUR_KEY);
    const heard: string[] = [];
    peerRtp.onMessage((d) => heard.push(`rtp ${peerOpens.unprotectRtp(d).ok}`));
    peerRtcp.onMessage((d) => heard.push(`rtcp ${peerOpens.unprotectRtcp(d).ok}`));
    peerRtcp.send(rtcp(0xabc), OURS_RTCP); // plain RTCP from the right address: refused
    f.clock.advance(1);
    expect(f.path.stats.accepted.rtcp).toBe(0);
    peerRtcp.send(peerSrtp.protectRtcp(rtcp(0xabc)), OURS_RTCP);
    f.clock.advance(1);
    expect(f.received).toEqual([`rtcp ${PEER}:30001`]);
    f.path.send('rtp', rtp(0, 1, 0x123));
    f.path.send('rtcp', rtcp(0x123));
    f.clock.advance(1);
    expect(heard).toEqual(['rtp true', 'rtcp true']);
    f.cleanup();
  });
});
