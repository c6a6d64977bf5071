import { describe, expect, it } from 'vitest';
import {
  isIpv4,
  isIpv6,
  parseIpLiteral,
  selectNaptrServices,
} from '../../../../src-main/sip/resolve/index.ts';
import { naptr } from './scripted-resolver.ts';

describe('parseIpLiteral', () => {
  it('recognizes IPv4 dotted quads (no leading zeros, each ≤ 255)', () => {
    expect(['192.0.2.1', '0.0.0.0', '255.255.255.255'].map(isIpv4)).toEqual([true, true, true]);
    expect(['256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', 'a.b.c.d', ''].map(isIpv4)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('recognizes the RFC 4291 IPv6 text forms', () => {
    const good = [
      '::',
      '::1',
      '2001:db8::1',
      '2001:DB8:0:0:8:800:200C:417A',
      '::ffff:192.0.2.1',
      '1:2:3:4:5:6:7::',
      'fe80::1%eth0',
    ];
    const bad = [
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7:8::',
      '12345::',
      ':1:2:3:4:5:6:7',
      '1.2.3.4::',
      'fe80::1%',
      'g::1',
      'example.com',
    ];
    expect(good.map(isIpv6)).toEqual(good.map(() => true));
    expect(bad.map(isIpv6)).toEqual(bad.map(() => false));
  });

  it('returns address and family; strips brackets; lower-cases IPv6 but not its zone', () => {
    expect(parseIpLiteral('192.0.2.7')).toEqual({ address: '192.0.2.7', family: 4 });
    expect(parseIpLiteral('[2001:DB8::A]')).toEqual({ address: '2001:db8::a', family: 6 });
    expect(parseIpLiteral('FE80::1%Eth0')).toEqual({ address: 'fe80::1%Eth0', family: 6 });
    expect(parseIpLiteral('[192.0.2.7]')).toBeUndefined();
    expect(parseIpLiteral('sip.example.com')).toBeUndefined();
  });
});

describe('selectNaptrServices (RFC 3263 §4.1)', () => {
  // The example of RFC 3263 §4.1.
  const example = [
    naptr(50, 50, 'SIPS+D2T', '_sips._tcp.example.com.'),
    naptr(90, 50, 'SIP+D2T', '_sip._tcp.example.com'),
    naptr(100, 50, 'SIP+D2U', '_sip._udp.example.com.'),
  ];

  it("a client with TCP and UDP uses TCP (the example's outcome)", () => {
    expect(selectNaptrServices(example, false, ['udp', 'tcp'])).toEqual([
      { transport: 'tcp', srvName: '_sip._tcp.example.com', order: 90, preference: 50 },
    ]);
  });

  it('a SIP URI keeps SIPS records when the client supports TLS', () => {
    expect(selectNaptrServices(example, false, ['udp', 'tcp', 'tls']).map((s) => s.srvName)).toEqual([
      '_sips._tcp.example.com',
    ]);
  });

  it('a SIPS URI discards every non-SIPS service', () => {
    expect(selectNaptrServices(example.slice(1), true, ['udp', 'tcp', 'tls'])).toEqual([]);
    expect(selectNaptrServices(example, true, ['udp', 'tcp'])).toEqual([]);
  });

  it('keeps only the lowest order of what applies, sorted by preference within it', () => {
    const records = [
      naptr(10, 30, 'SIP+D2U', '_sip._udp.b.example'),
      naptr(10, 20, 'sip+d2t', '_sip._tcp.b.example'),
      naptr(20, 10, 'SIP+D2U', '_sip._udp.c.example'),
    ];
    expect(selectNaptrServices(records, false, ['udp', 'tcp']).map((s) => [s.transport, s.srvName])).toEqual([
      ['tcp', '_sip._tcp.b.example'],
      ['udp', '_sip._udp.b.example'],
    ]);
  });

  it('discards unknown services, SIPS+D2U, non-"s" flags, regexps and unsupported transports', () => {
    const records = [
      naptr(1, 1, 'SIP+D2S', '_sip._sctp.example.com'),
      naptr(1, 1, 'SIPS+D2U', '_sips._udp.example.com'),
      naptr(1, 1, 'SIP+D2W', '_sip._ws.example.com'),
      naptr(1, 1, 'E2U+sip', '!^.*$!sip:info@example.com!', 'u'),
      naptr(1, 1, 'SIP+D2U', 'example.com', 'a'),
      { ...naptr(1, 1, 'SIP+D2U', '_sip._udp.example.com'), regexp: '!^.*$!x!' },
      naptr(1, 1, 'SIP+D2T', '_sip._tcp.example.com'),
      naptr(2, 1, 'SIP+D2U', '_sip._udp.example.com'),
    ];
    expect(selectNaptrServices(records, false, ['udp'])).toEqual([
      { transport: 'udp', srvName: '_sip._udp.example.com', order: 2, preference: 1 },
    ]);
  });
});
