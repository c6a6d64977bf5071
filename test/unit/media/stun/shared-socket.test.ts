import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { DatagramSocket, SocketAddress } from '../../../../src-main/platform/index.ts';
import {
  DatagramDemux,
  StunEndpoint,
  StunMethod,
  bindingSuccess,
  checkShortTermRequest,
  classifyPacket,
  encodeStunMessage,
  errorResponse,
  iceCheckAttributes,
  isRtcpPacket,
  shortTermKey,
} from '../../../../src-main/media/stun/index.ts';
import type { PacketKind, StunTransactionResult } from '../../../../src-main/media/stun/index.ts';

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('classifyPacket (RFC 7983 first-byte ranges)', () => {
  const stun = encodeStunMessage({
    method: StunMethod.binding,
    messageClass: 'request',
    transactionId: Buffer.alloc(12),
    attributes: {},
  });

  it('sorts by the first byte, STUN only with a valid header', () => {
    const cases: [Uint8Array, PacketKind][] = [
      [stun, 'stun'],
      [Buffer.from([0x01, 0x01, 0x00, 0x00]), 'other'], // STUN range, but no STUN header
      [Buffer.from([16, 0]), 'zrtp'],
      [Buffer.from([19, 0]), 'zrtp'],
      [Buffer.from([20, 3, 3]), 'dtls'],
      [Buffer.from([63]), 'dtls'],
      [Buffer.from([64, 0]), 'turn-channel'],
      [Buffer.from([79, 0]), 'turn-channel'],
      [Buffer.from([128, 0]), 'rtp'],
      [Buffer.from([191, 200]), 'rtp'],
      [Buffer.from('SIP/2.0 200 OK\r\n'), 'other'],
      [Buffer.from('\r\n\r\n'), 'other'],
      [Buffer.from([4]), 'other'],
      [Buffer.from([192]), 'other'],
      [Buffer.alloc(0), 'other'],
    ];
    for (const [data, kind] of cases)
      expect(classifyPacket(data), Buffer.from(data).toString('hex')).toBe(kind);
  });

  it('tells RTCP from RTP by the packet type byte (RFC 5761 §4)', () => {
    expect(isRtcpPacket(Buffer.from([0x80, 200]))).toBe(true); // SR
    expect(isRtcpPacket(Buffer.from([0x81, 201]))).toBe(true); // RR
    expect(isRtcpPacket(Buffer.from([0x80, 0x00]))).toBe(false); // PT 0 (PCMU)
    expect(isRtcpPacket(Buffer.from([0x80, 0x80 | 111]))).toBe(false); // marker + PT 111
  });
});

describe('one socket shared by ICE checks, RTP and SIP keepalives', () => {
  let clock: FakeClock;
  let net: MemoryNetwork;
  let sockets: DatagramSocket[];
  let disposables: { dispose(): void }[];

  beforeEach(() => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock);
    sockets = [];
    disposables = [];
  });

  afterEach(() => {
    for (const d of disposables) d.dispose();
    for (const s of sockets) s.close();
    clock.runAll();
    expect(clock.pendingTimers()).toBe(0);
    expect(net.openSockets()).toBe(0);
  });

  /** An ICE-style peer: a socket, a demux, a STUN endpoint that answers authenticated checks. */
  async function peer(address: string, ufrag: string, password: string) {
    const socket = await net.host(address).bindDatagram({ family: 4, port: 5000 });
    sockets.push(socket);
    const demux = new DatagramDemux(socket);
    const endpoint = new StunEndpoint({
      clock,
      reliable: false,
      send: (b, to) => socket.send(b, to),
      timing: { rtoMs: 100, maxSends: 3, finalWaitFactor: 2 },
    });
    disposables.push(demux, endpoint);
    demux.on('stun', (data, from) => endpoint.receive(data, from));
    const rtp: { data: Buffer; from: SocketAddress }[] = [];
    demux.on('rtp', (data, from) => rtp.push({ data, from }));
    const key = shortTermKey(password);
    const roles: string[] = [];
    endpoint.onRequest(({ message, from }) => {
      const check = checkShortTermRequest(message, ufrag, key);
      if (!check.ok) {
        endpoint.send(errorResponse(message, check.code, check.reason), from, { fingerprint: true });
        return;
      }
      roles.push(message.attributes.iceControlling !== undefined ? 'controlling' : 'controlled');
      endpoint.send(bindingSuccess(message, from), from, { integrityKey: key, fingerprint: true });
    });
    return { socket, demux, endpoint, rtp, roles, address: { address, port: 5000, family: 4 as const } };
  }

  it('runs an authenticated ICE check both ways while RTP flows to its own listener', async () => {
    const a = await peer('192.0.2.1', 'aaaa', 'a-password-123456789012');
    const b = await peer('192.0.2.2', 'bbbb', 'b-password-123456789012');
    const check = (from: typeof a, to: typeof b, fromUfrag: string, toUfrag: string, toPassword: string) =>
      from.endpoint.client.request(
        {
          method: StunMethod.binding,
          attributes: iceCheckAttributes({
            localUfrag: fromUfrag,
            remoteUfrag: toUfrag,
            priority: 0x6e0001ff,
            role: fromUfrag === 'aaaa' ? 'controlling' : 'controlled',
            tieBreaker: 0x1234n,
            useCandidate: fromUfrag === 'aaaa',
          }),
        },
        to.address,
        { integrityKey: shortTermKey(toPassword) },
      );
    const results: StunTransactionResult[] = [];
    void check(a, b, 'aaaa', 'bbbb', 'b-password-123456789012').then((r) => results.push(r));
    void check(b, a, 'bbbb', 'aaaa', 'a-password-123456789012').then((r) => results.push(r));
    a.socket.send(Buffer.from([0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1]), b.address);
    clock.advance(0);
    await flush();
    clock.advance(0);
    await flush();
    expect(results.map((r) => r.outcome)).toEqual(['success', 'success']);
    for (const r of results) {
      if (r.outcome === 'success') expect(r.response.hasFingerprint).toBe(true);
    }
    expect(b.roles).toEqual(['controlling']);
    expect(a.roles).toEqual(['controlled']);
    expect(b.rtp).toHaveLength(1);
    expect(b.rtp[0]?.from).toEqual(a.address);
    expect(a.demux.dropped + b.demux.dropped).toBe(0);
  });

  it('answers a check with a wrong password 401 and one without credentials 400', async () => {
    const a = await peer('192.0.2.1', 'aaaa', 'a-password-123456789012');
    const b = await peer('192.0.2.2', 'bbbb', 'b-password-123456789012');
    const attributes = iceCheckAttributes({
      localUfrag: 'aaaa',
      remoteUfrag: 'bbbb',
      priority: 1,
      role: 'controlling',
      tieBreaker: 1n,
    });
    const wrong = a.endpoint.client.request({ method: StunMethod.binding, attributes }, b.address, {
      integrityKey: shortTermKey('guess'),
    });
    const bare = a.endpoint.client.request({ method: StunMethod.binding }, b.address);
    const wrongUser = a.endpoint.client.request(
      { method: StunMethod.binding, attributes: { ...attributes, username: 'cccc:aaaa' } },
      b.address,
      { integrityKey: shortTermKey('b-password-123456789012') },
    );
    clock.advance(0);
    await flush();
    clock.advance(0);
    await flush();
    expect(await wrong).toMatchObject({ outcome: 'error-response', error: { code: 401 } });
    expect(await bare).toMatchObject({ outcome: 'error-response', error: { code: 400 } });
    expect(await wrongUser).toMatchObject({ outcome: 'error-response', error: { code: 401 } });
  });

  it('lets a SIP transport keep SIP text and STUN keepalive answers apart on its socket', async () => {
    const server = net.host('203.0.113.5');
    const registrar = await server.bindDatagram({ family: 4, port: 5060 });
    sockets.push(registrar);
    // The registrar answers STUN (RFC 5626 §4.4.1 keepalives) and echoes SIP.
    registrar.onMessage((data, from) => {
      if (classifyPacket(data) === 'stun') {
        const tid = data.subarray(8, 20);
        registrar.send(
          encodeStunMessage({
            method: StunMethod.binding,
            messageClass: 'success',
            transactionId: Buffer.from(tid),
            attributes: { xorMappedAddress: from },
          }),
          from,
        );
      } else registrar.send(Buffer.from('SIP/2.0 200 OK\r\n\r\n'), from);
    });
    const phone = await net.host('198.51.100.20').bindDatagram({ family: 4, port: 5060 });
    sockets.push(phone);
    const demux = new DatagramDemux(phone);
    const stun = new StunEndpoint({ clock, reliable: false, send: (b, to) => phone.send(b, to) });
    disposables.push(demux, stun);
    const sip: string[] = [];
    demux.on('stun', (d, f) => stun.receive(d, f));
    demux.on(['other', 'turn-channel'], (d) => sip.push(d.toString()));
    const keepalive = stun.client.request(
      { method: StunMethod.binding },
      { address: '203.0.113.5', port: 5060, family: 4 },
    );
    phone.send(Buffer.from('OPTIONS sip:x SIP/2.0\r\n\r\n'), {
      address: '203.0.113.5',
      port: 5060,
      family: 4,
    });
    clock.advance(0);
    await flush();
    clock.advance(0);
    await flush();
    const result = await keepalive;
    expect(result.outcome).toBe('success');
    if (result.outcome === 'success')
      expect(result.response.attributes.xorMappedAddress).toEqual({
        address: '198.51.100.20',
        port: 5060,
        family: 4,
      });
    expect(sip).toEqual(['SIP/2.0 200 OK\r\n\r\n']);
    expect(() => demux.on('stun', () => undefined)).toThrow(/already routed/);
  });
});
