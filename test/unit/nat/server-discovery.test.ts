import { describe, expect, it } from 'vitest';
import { FakeResolver } from '../../../src-main/platform/index.ts';
import { discoverServers, parseServerUri } from '../../../src-main/nat/index.ts';

describe('STUN/TURN URIs (RFC 7064, RFC 7065)', () => {
  it('parses schemes, default ports and transports', () => {
    expect(parseServerUri('stun:stun.example.com')).toEqual({
      ok: true,
      value: {
        uri: 'stun:stun.example.com:3478',
        kind: 'stun',
        transport: 'udp',
        host: 'stun.example.com',
        port: 3478,
        explicitPort: false,
        literal: false,
      },
    });
    expect(parseServerUri('stuns:Stun.Example.com:443')).toMatchObject({
      ok: true,
      value: { uri: 'stuns:stun.example.com:443', transport: 'tls', port: 443 },
    });
    expect(parseServerUri('turn:192.0.2.1:3478?transport=tcp')).toMatchObject({
      ok: true,
      value: {
        uri: 'turn:192.0.2.1:3478?transport=tcp',
        kind: 'turn',
        transport: 'tcp',
        literal: true,
        explicitPort: true,
      },
    });
    expect(parseServerUri('turn:[2001:DB8::1]')).toMatchObject({
      ok: true,
      value: { uri: 'turn:[2001:db8::1]:3478', host: '2001:db8::1', literal: true },
    });
    expect(parseServerUri('turns:turn.example.com')).toMatchObject({
      ok: true,
      value: { uri: 'turns:turn.example.com:5349', transport: 'tls', port: 5349 },
    });
    expect(parseServerUri('turn:t.example.com?transport=udp')).toMatchObject({
      ok: true,
      value: { uri: 'turn:t.example.com:3478', transport: 'udp' },
    });
  });

  it('refuses what it cannot use', () => {
    expect(parseServerUri('http://x')).toMatchObject({ ok: false });
    expect(parseServerUri('turns:x?transport=udp')).toEqual({
      ok: false,
      reason: 'turns: with transport=udp (DTLS) is not supported',
    });
    expect(parseServerUri('stun:x?transport=tcp')).toEqual({
      ok: false,
      reason: 'stun: URIs take no transport (RFC 7064)',
    });
    expect(parseServerUri('turn:x?transport=sctp')).toEqual({
      ok: false,
      reason: 'unknown TURN transport "sctp"',
    });
    expect(parseServerUri('stun:x:70000')).toEqual({ ok: false, reason: 'port 70000 out of range' });
  });
});

describe('server discovery from the SIP domain (DNS SRV) and configuration', () => {
  it('finds the five services, resolves the targets and keeps the RFC 2782 order', async () => {
    const resolver = new FakeResolver()
      .set('_stun._udp.example.com', 'SRV', [
        { name: 'stun2.example.com', port: 3478, priority: 20, weight: 0 },
        { name: 'stun1.example.com', port: 3478, priority: 10, weight: 0 },
      ])
      .set('_turn._udp.example.com', 'SRV', [
        { name: 'turn.example.com', port: 3478, priority: 0, weight: 0 },
      ])
      .set('_turns._tcp.example.com', 'SRV', [
        { name: 'turn.example.com.', port: 5349, priority: 0, weight: 0 },
      ])
      .fail('_turn._tcp.example.com', 'SRV', 'ESERVFAIL')
      .set('stun1.example.com', 'A', ['203.0.113.1'])
      .set('stun2.example.com', 'A', ['203.0.113.2'])
      .set('stun2.example.com', 'AAAA', ['2001:db8::2'])
      .set('turn.example.com', 'A', ['203.0.113.3']);
    const found = await discoverServers({
      resolver,
      domain: 'example.com',
      turnCredentials: { username: 'u', password: 'p' },
    });
    expect(found.servers.map((s) => [s.uri, s.source, s.addresses.map((a) => a.address)])).toEqual([
      ['stun:stun1.example.com:3478', 'srv', ['203.0.113.1']],
      ['stun:stun2.example.com:3478', 'srv', ['203.0.113.2', '2001:db8::2']],
      ['turn:turn.example.com:3478', 'srv', ['203.0.113.3']],
      ['turns:turn.example.com:5349', 'srv', ['203.0.113.3']],
    ]);
    expect(found.servers.filter((s) => s.kind === 'turn').every((s) => s.credentials?.username === 'u')).toBe(
      true,
    );
    expect(found.srv).toContainEqual({ name: '_turn._tcp.example.com', records: 0, error: 'ESERVFAIL' });
    expect(found.srv).toContainEqual({ name: '_stuns._tcp.example.com', records: 0 });
  });

  it('puts configured servers first, tests a server found twice once, and reports bad URIs', async () => {
    const resolver = new FakeResolver()
      .set('_stun._udp.example.com', 'SRV', [
        { name: 'stun.example.com', port: 3478, priority: 0, weight: 0 },
      ])
      .set('stun.example.com', 'A', ['203.0.113.1']);
    const found = await discoverServers({
      resolver,
      domain: 'example.com',
      stun: ['stun:203.0.113.1:3478', 'bogus:x'],
      turn: [{ uri: 'turn:203.0.113.9?transport=tcp', username: 'alice', password: 'pw' }],
    });
    expect(found.servers.map((s) => [s.uri, s.source])).toEqual([
      ['stun:203.0.113.1:3478', 'configured'],
      ['turn:203.0.113.9:3478?transport=tcp', 'configured'],
    ]);
    expect(found.servers[1]?.credentials).toEqual({ username: 'alice', password: 'pw' });
    expect(found.invalid).toEqual([
      { uri: 'bogus:x', reason: '"bogus:x" is not a stun:, stuns:, turn: or turns: URI' },
    ]);
  });

  it('looks up SRV for a configured name without a port, then falls back to A with the default port', async () => {
    const resolver = new FakeResolver()
      .set('_stun._udp.voip.example.net', 'SRV', [
        { name: 'edge.example.net', port: 19302, priority: 0, weight: 0 },
      ])
      .set('edge.example.net', 'A', ['192.0.2.7'])
      .set('plain.example.net', 'A', ['192.0.2.8']);
    const found = await discoverServers({
      resolver,
      stun: ['stun:voip.example.net', 'stun:plain.example.net', 'stun:gone.example.net:3478'],
    });
    expect(
      found.servers.map((s) => [s.uri, s.addresses[0]?.address ?? null, s.resolveError ?? null]),
    ).toEqual([
      ['stun:voip.example.net:3478 → stun:edge.example.net:19302', '192.0.2.7', null],
      ['stun:plain.example.net:3478', '192.0.2.8', null],
      ['stun:gone.example.net:3478', null, 'gone.example.net did not resolve (ENOTFOUND)'],
    ]);
  });

  it('uses the defaults only when nothing else was found', async () => {
    const resolver = new FakeResolver();
    const none = await discoverServers({ resolver, domain: 'example.com', defaults: ['stun:192.0.2.1'] });
    expect(none.servers.map((s) => [s.uri, s.source])).toEqual([['stun:192.0.2.1:3478', 'default']]);
    const some = await discoverServers({ resolver, stun: ['stun:192.0.2.2'], defaults: ['stun:192.0.2.1'] });
    expect(some.servers.map((s) => s.uri)).toEqual(['stun:192.0.2.2:3478']);
  });
});
