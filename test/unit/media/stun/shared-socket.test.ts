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
  shortTermKey,
} from '../../../../src-main/media/stun/index.ts';
import type { PacketKind, StunTransactionResult } from '../../../../src-main/media/stun/index.ts';

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

const RTP = Buffer.from([0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
const RTP_MARKER_PT_96 = Buffer.from([0x80, 0xe0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
const RTCP_RR = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);

describe('classifyPacket (RFC 7983 §7, RFC 5761 §4): the one classifier', () => {
  const stun = encodeStunMessage({
    method: StunMethod.binding,
    messageClass: 'request',
    transactionId: Buffer.alloc(12),
    attributes: { software: 'x' },
  });

  it('sorts by the first octet, then RTP from RTCP by the second', () => {
    const cases: [Uint8Array, PacketKind][] = [
      [stun, 'stun'],
      [Buffer.concat([Buffer.from([16]), Buffer.alloc(11)]), 'zrtp'],
      [Buffer.concat([Buffer.from([19]), Buffer.alloc(11)]), 'zrtp'],
      [Buffer.concat([Buffer.from([20, 3, 3]), Buffer.alloc(10)]), 'dtls'],
      [Buffer.concat([Buffer.from([63]), Buffer.alloc(12)]), 'dtls'],
      [Buffer.from([64, 0, 0, 0]), 'turn-channel'],
      [Buffer.from([79, 0xff, 0, 0]), 'turn-channel'],
      [RTP, 'rtp'],
      // Marker + PT 96 = 0xe0 = 224: outside 192–223, so RTP.
      [RTP_MARKER_PT_96, 'rtp'],
      [Buffer.concat([Buffer.from([191, 0]), Buffer.alloc(10)]), 'rtp'],
      [RTCP_RR, 'rtcp'],
    ];
    for (const [data, kind] of cases)
      expect(classifyPacket(data), Buffer.from(data).toString('hex')).toBe(kind);
    for (const type of [192, 200, 201, 202, 203, 204, 205, 206, 223])
      expect(classifyPacket(Buffer.from([0x81, type, 0, 1, 0, 0, 0, 1]))).toBe('rtcp');
    for (const type of [191, 224])
      expect(classifyPacket(Buffer.from([0x81, type, ...RTP.subarray(2)]))).toBe('rtp');
  });

  it('STUN only with a whole RFC 5389 header: top bits, magic cookie, a length that matches', () => {
    const withCookie = (bytes: number[]): Buffer =>
      Buffer.concat([Buffer.from(bytes), Buffer.from([0x21, 0x12, 0xa4, 0x42]), Buffer.alloc(12)]);
    expect(classifyPacket(withCookie([0x00, 0x01, 0x00, 0x00]))).toBe('stun'); // 20 bytes, length 0
    expect(classifyPacket(stun.subarray(0, 20))).toBe('other'); // the length says more follows
    expect(classifyPacket(Buffer.concat([stun, Buffer.alloc(4)]))).toBe('other'); // trailing bytes
    expect(classifyPacket(withCookie([0x00, 0x01, 0x00, 0x02]).subarray(0, 22))).toBe('other'); // length % 4
    const noCookie = Buffer.from(withCookie([0x00, 0x01, 0x00, 0x00]));
    noCookie.writeUInt32BE(0x21_12_a4_43, 4);
    expect(classifyPacket(noCookie)).toBe('other'); // RFC 3489 STUN or noise
    expect(classifyPacket(Buffer.from([0x01, 0x01, 0x00, 0x00]))).toBe('other');
  });

  it('calls other what no protocol here starts with, or what is too short for its header', () => {
    const cases: [Uint8Array, PacketKind][] = [
      [Buffer.alloc(0), 'other'],
      [Buffer.from([0x05, 0, 0, 0]), 'other'], // 4–15: unassigned
      [Buffer.from([0x50, 0, 0, 0]), 'other'], // 80–127
      [Buffer.from([0xc0, ...RTP.subarray(1)]), 'other'], // version 3
      [Buffer.from([192]), 'other'],
      [Buffer.concat([Buffer.from([16]), Buffer.alloc(10)]), 'other'], // ZRTP < 12
      [Buffer.concat([Buffer.from([22]), Buffer.alloc(11)]), 'other'], // DTLS < 13
      [Buffer.from([64, 0, 0]), 'other'], // ChannelData < 4
      [RTP.subarray(0, 11), 'other'],
      [RTCP_RR.subarray(0, 7), 'other'],
      [Buffer.from([128]), 'other'],
      [Buffer.from('SIP/2.0 200 OK\r\n'), 'other'],
      [Buffer.from('\r\n\r\n'), 'other'],
    ];
    for (const [data, kind] of cases)
      expect(classifyPacket(data), Buffer.from(data).toString('hex')).toBe(kind);
    // SIP methods starting with 'A'–'O' fall in the ChannelData range: a SIP socket routes both to SIP.
    expect(classifyPacket(Buffer.from('INVITE sip:x SIP/2.0\r\n'))).toBe('turn-channel');
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
    demux.on(['rtp', 'rtcp'], (data, from) => rtp.push({ data, from }));
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
