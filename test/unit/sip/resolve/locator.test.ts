import { describe, expect, it } from 'vitest';
import { DnsLookupCache, TargetIterator, resolveTargets } from '../../../../src-main/sip/resolve/index.ts';
import type {
  LocateOptions,
  ResolvePreferences,
  ResolvedTarget,
  SipTarget,
} from '../../../../src-main/sip/resolve/index.ts';
import { ScriptedResolver, naptr, sequence, srv } from './scripted-resolver.ts';
import type { DnsTable } from './scripted-resolver.ts';

const ALL: ResolvePreferences = { transports: ['udp', 'tcp', 'tls'], families: [4, 6] };
const NO_TLS: ResolvePreferences = { transports: ['udp', 'tcp'], families: [4, 6] };

/** "transport address:port source" per target: compact and exact. */
function lines(targets: readonly ResolvedTarget[]): string[] {
  return targets.map(
    (t) => `${t.transport} ${t.family === 6 ? `[${t.address}]` : t.address}:${t.port} ${t.source}`,
  );
}

async function locate(
  target: SipTarget,
  table: DnsTable,
  preferences: ResolvePreferences = ALL,
  extra: Partial<LocateOptions> = {},
): Promise<{ targets: string[]; queries: string[]; problems: unknown[] }> {
  const resolver = new ScriptedResolver(table);
  const result = await resolveTargets(target, { resolver, preferences, random: () => 0, ...extra });
  return { targets: lines(result.targets), queries: resolver.queries, problems: [...result.problems] };
}

describe('RFC 3263 §4: numeric targets need no DNS', () => {
  it('IPv4 without port: UDP 5060 for sip:, TLS 5061 for sips:', async () => {
    expect(await locate({ host: '192.0.2.10', secure: false }, {})).toEqual({
      targets: ['udp 192.0.2.10:5060 literal'],
      queries: [],
      problems: [],
    });
    expect((await locate({ host: '192.0.2.10', secure: true }, {})).targets).toEqual([
      'tls 192.0.2.10:5061 literal',
    ]);
  });

  it('IPv6 reference with port and transport', async () => {
    const result = await locate({ host: '[2001:DB8::10]', port: 5080, transport: 'tcp', secure: false }, {});
    expect(result.targets).toEqual(['tcp [2001:db8::10]:5080 literal']);
    expect(result.queries).toEqual([]);
  });

  it('an IPv6 literal is refused when IPv6 is not enabled', async () => {
    expect(
      await locate({ host: '[2001:db8::10]', secure: false }, {}, { transports: ['udp'], families: [4] }),
    ).toEqual({
      targets: [],
      queries: [],
      problems: [{ kind: 'family-not-supported', address: '2001:db8::10', family: 6 }],
    });
  });

  it('maddr replaces the host as TARGET', async () => {
    expect((await locate({ host: 'example.com', maddr: '198.51.100.1', secure: false }, {})).targets).toEqual(
      ['udp 198.51.100.1:5060 literal'],
    );
  });

  it('without UDP support a sip: literal goes over the next transport we have', async () => {
    expect(
      (await locate({ host: '192.0.2.1', secure: false }, {}, { transports: ['tcp'], families: [4] }))
        .targets,
    ).toEqual(['tcp 192.0.2.1:5060 literal']);
  });
});

describe('RFC 3263 §4.2: explicit port → A/AAAA only', () => {
  const table: DnsTable = {
    'A pbx.example.com': ['192.0.2.1', '192.0.2.2'],
    'AAAA pbx.example.com': ['2001:DB8::1'],
  };

  it('tries every address at that port, A before AAAA by default', async () => {
    expect(await locate({ host: 'pbx.example.com', port: 5070, secure: false }, table)).toEqual({
      targets: ['udp 192.0.2.1:5070 a', 'udp 192.0.2.2:5070 a', 'udp [2001:db8::1]:5070 aaaa'],
      queries: ['A pbx.example.com', 'AAAA pbx.example.com'],
      problems: [],
    });
  });

  it('AAAA first when IPv6 is preferred; the transport parameter is kept', async () => {
    const result = await locate(
      { host: 'pbx.example.com', port: 5071, transport: 'tcp', secure: false },
      table,
      {
        transports: ['udp', 'tcp'],
        families: [6, 4],
      },
    );
    expect(result.targets).toEqual([
      'tcp [2001:db8::1]:5071 aaaa',
      'tcp 192.0.2.1:5071 a',
      'tcp 192.0.2.2:5071 a',
    ]);
  });

  it('a SIPS URI with a port uses TLS at that port', async () => {
    expect(
      (await locate({ host: 'pbx.example.com', port: 5071, secure: true }, table, { ...ALL, families: [4] }))
        .targets,
    ).toEqual(['tls 192.0.2.1:5071 a', 'tls 192.0.2.2:5071 a']);
  });
});

describe('RFC 3263 §4.2: explicit transport → SRV for that transport', () => {
  it('queries only that SRV name and uses its records', async () => {
    const table: DnsTable = {
      'SRV _sip._tcp.example.com': [srv(0, 0, 5090, 'sip1.example.com')],
      'A sip1.example.com': ['192.0.2.21'],
    };
    expect(
      await locate({ host: 'example.com', transport: 'tcp', secure: false }, table, {
        ...ALL,
        families: [4],
      }),
    ).toEqual({
      targets: ['tcp 192.0.2.21:5090 srv'],
      queries: ['SRV _sip._tcp.example.com', 'A sip1.example.com'],
      problems: [],
    });
  });

  it('falls back to A/AAAA at the default port when the SRV name does not exist (NXDOMAIN)', async () => {
    const result = await locate(
      { host: 'example.com', transport: 'tls', secure: false },
      { 'A example.com': ['192.0.2.30'] },
    );
    expect(result.targets).toEqual(['tls 192.0.2.30:5061 a']);
    expect(result.queries).toEqual(['SRV _sips._tcp.example.com', 'A example.com', 'AAAA example.com']);
    expect(result.problems).toEqual([
      { kind: 'dns', type: 'SRV', name: '_sips._tcp.example.com', code: 'ENOTFOUND' },
      { kind: 'dns', type: 'AAAA', name: 'example.com', code: 'ENOTFOUND' },
    ]);
  });

  it('a SIPS URI with transport=tcp means TLS: _sips._tcp', async () => {
    const result = await locate(
      { host: 'example.com', transport: 'tcp', secure: true },
      { 'A example.com': ['192.0.2.30'] },
    );
    expect(result.queries[0]).toBe('SRV _sips._tcp.example.com');
    expect(result.targets).toEqual(['tls 192.0.2.30:5061 a']);
  });

  it('refuses sips with transport=udp, and transports we do not support', async () => {
    expect(await locate({ host: 'example.com', transport: 'udp', secure: true }, {})).toEqual({
      targets: [],
      queries: [],
      problems: [{ kind: 'sips-over-udp' }],
    });
    expect(
      (await locate({ host: 'example.com', transport: 'tls', secure: false }, {}, NO_TLS)).problems,
    ).toEqual([{ kind: 'transport-not-supported', transport: 'tls' }]);
    expect((await locate({ host: 'example.com', secure: true }, {}, NO_TLS)).problems).toEqual([
      { kind: 'transport-not-supported', transport: 'tls' },
    ]);
  });
});

describe('RFC 3263 §4.1: NAPTR, then SRV, then A/AAAA', () => {
  // The example of RFC 3263 §4.1, with addresses.
  const example: DnsTable = {
    'NAPTR example.com': [
      naptr(50, 50, 'SIPS+D2T', '_sips._tcp.example.com'),
      naptr(90, 50, 'SIP+D2T', '_sip._tcp.example.com'),
      naptr(100, 50, 'SIP+D2U', '_sip._udp.example.com'),
    ],
    'SRV _sip._tcp.example.com': [
      srv(0, 1, 5060, 'server1.example.com'),
      srv(0, 2, 5060, 'server2.example.com'),
    ],
    'SRV _sips._tcp.example.com': [srv(0, 0, 5061, 'server1.example.com')],
    'A server1.example.com': ['192.0.2.1'],
    'A server2.example.com': ['192.0.2.2'],
    'AAAA server2.example.com': ['2001:db8::2'],
  };

  it('the example: a client with TCP and UDP uses TCP, hosts in RFC 2782 order', async () => {
    expect(await locate({ host: 'example.com', secure: false }, example, NO_TLS)).toEqual({
      targets: ['tcp 192.0.2.1:5060 naptr', 'tcp 192.0.2.2:5060 naptr', 'tcp [2001:db8::2]:5060 naptr'],
      queries: [
        'NAPTR example.com',
        'SRV _sip._tcp.example.com',
        'A server1.example.com',
        'AAAA server1.example.com',
        'A server2.example.com',
        'AAAA server2.example.com',
      ],
      problems: [{ kind: 'dns', type: 'AAAA', name: 'server1.example.com', code: 'ENOTFOUND' }],
    });
  });

  it('the weighted choice decides which host comes first', async () => {
    // sum 3, pick = floor(r * 4): r = 0.9 → 3 → server2 (running sum 3).
    const result = await locate({ host: 'example.com', secure: false }, example, NO_TLS, {
      random: sequence(0.9),
    });
    expect(result.targets).toEqual([
      'tcp 192.0.2.2:5060 naptr',
      'tcp [2001:db8::2]:5060 naptr',
      'tcp 192.0.2.1:5060 naptr',
    ]);
  });

  it('the example with a TLS-capable client: SIPS+D2T (order 50) wins', async () => {
    expect(
      (await locate({ host: 'example.com', secure: false }, example, { ...ALL, families: [4] })).targets,
    ).toEqual(['tls 192.0.2.1:5061 naptr']);
  });

  it("NAPTR records pointing at missing SRV names: A/AAAA of the domain with NAPTR's transport", async () => {
    const table: DnsTable = {
      'NAPTR example.net': [
        naptr(10, 10, 'SIP+D2T', '_sip._tcp.example.net'),
        naptr(10, 20, 'SIP+D2U', '_sip._udp.example.net'),
      ],
      'SRV _sip._tcp.example.net': { code: 'ENODATA' },
      'A example.net': ['198.51.100.5'],
    };
    const result = await locate({ host: 'example.net', secure: false }, table, { ...NO_TLS, families: [4] });
    expect(result.targets).toEqual(['tcp 198.51.100.5:5060 a']);
    expect(result.queries).toEqual([
      'NAPTR example.net',
      'SRV _sip._tcp.example.net',
      'SRV _sip._udp.example.net',
      'A example.net',
    ]);
  });

  it('no NAPTR (NXDOMAIN): SRV for each supported transport in our order, results concatenated', async () => {
    const table: DnsTable = {
      'SRV _sip._udp.example.org': [srv(0, 0, 5060, 'u.example.org')],
      'SRV _sip._tcp.example.org': { code: 'ENODATA' },
      'SRV _sips._tcp.example.org': [srv(0, 0, 5061, 't.example.org')],
      'A u.example.org': ['203.0.113.1'],
      'A t.example.org': ['203.0.113.2'],
    };
    const result = await locate({ host: 'example.org', secure: false }, table, { ...ALL, families: [4] });
    expect(result.targets).toEqual(['udp 203.0.113.1:5060 srv', 'tls 203.0.113.2:5061 srv']);
    expect(result.queries).toEqual([
      'NAPTR example.org',
      'SRV _sip._udp.example.org',
      'A u.example.org',
      'SRV _sip._tcp.example.org',
      'SRV _sips._tcp.example.org',
      'A t.example.org',
    ]);
    const tcpFirst = await locate({ host: 'example.org', secure: false }, table, {
      transports: ['tls', 'udp'],
      families: [4],
    });
    expect(tcpFirst.targets).toEqual(['tls 203.0.113.2:5061 srv', 'udp 203.0.113.1:5060 srv']);
  });

  it('NAPTR with nothing usable counts as no NAPTR', async () => {
    const table: DnsTable = {
      'NAPTR example.org': [naptr(10, 10, 'SIP+D2S', '_sip._sctp.example.org')],
      'SRV _sip._udp.example.org': [srv(0, 0, 5060, 'u.example.org')],
      'A u.example.org': ['203.0.113.1'],
    };
    expect(
      (await locate({ host: 'example.org', secure: false }, table, { transports: ['udp'], families: [4] }))
        .targets,
    ).toEqual(['udp 203.0.113.1:5060 srv']);
  });

  it('a SIPS URI queries only _sips._tcp, and falls back to TLS at 5061', async () => {
    const result = await locate(
      { host: 'example.org', secure: true },
      { 'NAPTR example.org': { code: 'ENODATA' }, 'A example.org': ['203.0.113.9'] },
      {
        ...ALL,
        families: [4],
      },
    );
    expect(result.queries).toEqual(['NAPTR example.org', 'SRV _sips._tcp.example.org', 'A example.org']);
    expect(result.targets).toEqual(['tls 203.0.113.9:5061 a']);
  });

  it('nothing anywhere (NXDOMAIN / ENODATA): A/AAAA with UDP 5060, every failure listed', async () => {
    const table: DnsTable = {
      'NAPTR nowhere.test': { code: 'ENODATA' },
      'A nowhere.test': ['192.0.2.99'],
      'AAAA nowhere.test': { code: 'ENODATA' },
    };
    expect(await locate({ host: 'nowhere.test', secure: false }, table, NO_TLS)).toEqual({
      targets: ['udp 192.0.2.99:5060 a'],
      queries: [
        'NAPTR nowhere.test',
        'SRV _sip._udp.nowhere.test',
        'SRV _sip._tcp.nowhere.test',
        'A nowhere.test',
        'AAAA nowhere.test',
      ],
      problems: [
        { kind: 'dns', type: 'NAPTR', name: 'nowhere.test', code: 'ENODATA' },
        { kind: 'dns', type: 'SRV', name: '_sip._udp.nowhere.test', code: 'ENOTFOUND' },
        { kind: 'dns', type: 'SRV', name: '_sip._tcp.nowhere.test', code: 'ENOTFOUND' },
        { kind: 'dns', type: 'AAAA', name: 'nowhere.test', code: 'ENODATA' },
      ],
    });
  });

  it('an SRV "." target means "decidedly not available": no A/AAAA fallback', async () => {
    const table: DnsTable = {
      'SRV _sip._udp.closed.test': [srv(0, 0, 0, '.')],
      'A closed.test': ['192.0.2.1'],
    };
    const result = await locate({ host: 'closed.test', secure: false }, table, {
      transports: ['udp'],
      families: [4],
    });
    expect(result.targets).toEqual([]);
    expect(result.queries).toEqual(['NAPTR closed.test', 'SRV _sip._udp.closed.test']);
  });

  it('a DNS timeout on A is reported and the AAAA records are still used', async () => {
    const table: DnsTable = { 'A slow.test': { code: 'ETIMEOUT' }, 'AAAA slow.test': ['2001:db8::5'] };
    const result = await locate({ host: 'slow.test', port: 5060, secure: false }, table);
    expect(result.targets).toEqual(['udp [2001:db8::5]:5060 aaaa']);
    expect(result.problems).toEqual([{ kind: 'dns', type: 'A', name: 'slow.test', code: 'ETIMEOUT' }]);
  });
});

describe('TargetIterator: failover (RFC 3263 §4.3)', () => {
  const table: DnsTable = {
    'NAPTR pbx.test': { code: 'ENOTFOUND' },
    'SRV _sip._udp.pbx.test': [
      srv(10, 0, 5060, 'backup.pbx.test'),
      srv(0, 50, 5060, 'a.pbx.test'),
      srv(0, 50, 5062, 'b.pbx.test'),
      srv(0, 0, 5060, 'a.pbx.test'),
    ],
    'A a.pbx.test': ['192.0.2.1', '192.0.2.2'],
    'A b.pbx.test': ['192.0.2.3'],
    'A backup.pbx.test': ['192.0.2.9'],
  };
  const options = (resolver: ScriptedResolver, extra: Partial<LocateOptions> = {}): LocateOptions => ({
    resolver,
    preferences: { transports: ['udp'], families: [4] },
    // weight-0 a.pbx.test first (r = 0), then for the two weight-50 records r = 0.9 → b first.
    random: sequence(0, 0.9, 0),
    ...extra,
  });

  it('hands out targets one at a time, looking up only what it needs', async () => {
    const resolver = new ScriptedResolver(table);
    const iterator = new TargetIterator({ host: 'pbx.test', secure: false }, options(resolver));

    expect(lines([(await iterator.next()) as ResolvedTarget])).toEqual(['udp 192.0.2.1:5060 srv']);
    expect(resolver.queries).toEqual(['NAPTR pbx.test', 'SRV _sip._udp.pbx.test', 'A a.pbx.test']);

    // timeout / 503 → next
    expect(lines([(await iterator.next()) as ResolvedTarget])).toEqual(['udp 192.0.2.2:5060 srv']);
    expect(lines([(await iterator.next()) as ResolvedTarget])).toEqual(['udp 192.0.2.3:5062 srv']);
    expect(resolver.queries).toEqual([
      'NAPTR pbx.test',
      'SRV _sip._udp.pbx.test',
      'A a.pbx.test',
      'A b.pbx.test',
    ]);

    // a.pbx.test:5060 again through its second record: skipped; then the priority-10 backup.
    expect(lines([(await iterator.next()) as ResolvedTarget])).toEqual(['udp 192.0.2.9:5060 srv']);
    expect(iterator.exhausted).toBe(false);
    expect(await iterator.next()).toBeUndefined();
    expect(iterator.exhausted).toBe(true);
    expect(await iterator.next()).toBeUndefined();
    expect(lines(iterator.tried)).toEqual([
      'udp 192.0.2.1:5060 srv',
      'udp 192.0.2.2:5060 srv',
      'udp 192.0.2.3:5062 srv',
      'udp 192.0.2.9:5060 srv',
    ]);
    // The duplicate a.pbx.test record was answered from the cache, not queried twice.
    expect(resolver.queries.filter((q) => q === 'A a.pbx.test')).toHaveLength(1);
  });

  it('reports hostnames for SRV-derived targets', async () => {
    const iterator = new TargetIterator(
      { host: 'pbx.test', secure: false },
      options(new ScriptedResolver(table)),
    );
    expect(await iterator.next()).toEqual({
      address: '192.0.2.1',
      port: 5060,
      family: 4,
      transport: 'udp',
      source: 'srv',
      hostname: 'a.pbx.test',
    });
  });

  it('a shared DnsLookupCache answers a second iterator of the same request without new queries', async () => {
    const resolver = new ScriptedResolver(table);
    const cache = new DnsLookupCache();
    const first = await resolveTargets({ host: 'pbx.test', secure: false }, options(resolver, { cache }));
    const queried = resolver.queries.length;
    const second = await resolveTargets({ host: 'pbx.test', secure: false }, options(resolver, { cache }));
    expect(resolver.queries.length).toBe(queried);
    expect(cache.size).toBe(queried);
    expect(lines(second.targets)).toEqual(lines(first.targets));
  });

  it('concurrent next() calls get distinct targets in order', async () => {
    const iterator = new TargetIterator(
      { host: 'pbx.test', secure: false },
      options(new ScriptedResolver(table)),
    );
    const got = await Promise.all([iterator.next(), iterator.next(), iterator.next()]);
    expect(lines(got as ResolvedTarget[])).toEqual([
      'udp 192.0.2.1:5060 srv',
      'udp 192.0.2.2:5060 srv',
      'udp 192.0.2.3:5062 srv',
    ]);
  });
});
