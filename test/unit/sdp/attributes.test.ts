import { describe, expect, it } from 'vitest';
import {
  formatCandidate,
  formatEventList,
  formatRemoteCandidates,
  formatRtcp,
  formatRtpmap,
  iceDescription,
  readCandidate,
  readCrypto,
  readEventList,
  readFingerprint,
  readFmtp,
  readFmtpParameters,
  readIceOptions,
  readPacketTime,
  readRemoteCandidates,
  readRtcp,
  readRtpmap,
  readSetup,
  readSsrc,
} from '../../../src-main/sdp/index.ts';
import type { IceCandidate } from '../../../src-main/sdp/index.ts';
import { crlf, sdp } from './helpers.ts';

function candidate(value: string): IceCandidate {
  const r = readCandidate(value);
  if (!r.ok) expect.fail(r.reason);
  return r.value;
}

describe('rtpmap / fmtp / ptime', () => {
  it('reads rtpmap with and without encoding parameters', () => {
    expect(readRtpmap('0 PCMU/8000')).toEqual({
      ok: true,
      value: { payloadType: 0, encodingName: 'PCMU', clockRate: 8000 },
    });
    expect(readRtpmap('96 opus/48000/2')).toEqual({
      ok: true,
      value: { payloadType: 96, encodingName: 'opus', clockRate: 48000, encodingParameters: 2 },
    });
    expect(
      formatRtpmap({ payloadType: 96, encodingName: 'opus', clockRate: 48000, encodingParameters: 2 }),
    ).toBe('96 opus/48000/2');
  });

  it.each([
    ['128 PCMU/8000', 'payload type "128" is not 0-127'],
    ['0 PCMU', 'encoding "PCMU" is not name/rate[/params]'],
    ['0 PCMU/0', 'clock rate "0" is not a positive integer'],
    ['0 PCMU/8000/x', 'encoding parameters "x" are not a positive integer'],
    ['0', 'expected "<payload type> <encoding>/<clock rate>[/<channels>]"'],
  ])('rejects rtpmap %s', (value, reason) => {
    expect(readRtpmap(value)).toEqual({ ok: false, reason });
  });

  it('reads fmtp and its name=value parameters', () => {
    expect(readFmtp('101 0-16')).toEqual({ ok: true, value: { format: '101', parameters: '0-16' } });
    expect(readFmtp('18')).toEqual({ ok: true, value: { format: '18', parameters: '' } });
    expect(readFmtpParameters('useinbandfec=1; maxaveragebitrate=30000;stereo')).toEqual([
      { name: 'useinbandfec', value: '1' },
      { name: 'maxaveragebitrate', value: '30000' },
      { name: 'stereo' },
    ]);
  });

  it('reads packet times, integer or decimal', () => {
    expect(readPacketTime('20')).toEqual({ ok: true, value: 20 });
    expect(readPacketTime('22.5')).toEqual({ ok: true, value: 22.5 });
    expect(readPacketTime('0')).toEqual({ ok: false, reason: 'packet time must be positive' });
  });

  it('reads and writes RFC 4733 event lists', () => {
    expect(readEventList('0-15,66,70')).toEqual({
      ok: true,
      value: [...Array.from({ length: 16 }, (_, i) => i), 66, 70],
    });
    expect(readEventList('16-3')).toEqual({
      ok: false,
      reason: 'event range "16-3" is outside 0-255 or reversed',
    });
    expect(readEventList('0-15,x')).toEqual({ ok: false, reason: 'event range "x" is not N or N-M' });
    expect(formatEventList([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16])).toBe('0-11,16');
    expect(formatEventList([5])).toBe('5');
    expect(formatEventList([])).toBe('');
  });
});

describe('rtcp (RFC 3605)', () => {
  it('reads port-only and port-with-address forms', () => {
    expect(readRtcp('53020')).toEqual({ ok: true, value: { port: 53020 } });
    expect(readRtcp('53020 IN IP4 126.16.64.4')).toEqual({
      ok: true,
      value: { port: 53020, netType: 'IN', addressType: 'IP4', address: '126.16.64.4' },
    });
    expect(readRtcp('53020 IN IP6 2001:2345:6789:ABCD:EF01:2345:6789:ABCD')).toEqual({
      ok: true,
      value: {
        port: 53020,
        netType: 'IN',
        addressType: 'IP6',
        address: '2001:2345:6789:ABCD:EF01:2345:6789:ABCD',
      },
    });
    expect(readRtcp('53020 IN IP4')).toEqual({
      ok: false,
      reason: 'expected "<port>" or "<port> <nettype> <addrtype> <address>"',
    });
  });

  it('writes both forms, inferring the address type', () => {
    expect(formatRtcp({ port: 40001 })).toBe('40001');
    expect(formatRtcp({ port: 40001, address: '192.0.2.9' })).toBe('40001 IN IP4 192.0.2.9');
    expect(formatRtcp({ port: 40001, address: '2001:db8::9' })).toBe('40001 IN IP6 2001:db8::9');
  });
});

describe('ICE candidates (RFC 8839 §5.1)', () => {
  it('reads a Chrome host candidate with generation and network extensions', () => {
    expect(
      candidate(
        '3348148302 1 udp 2122260223 192.168.1.5 56143 typ host generation 0 network-id 1 network-cost 10',
      ),
    ).toEqual({
      foundation: '3348148302',
      component: 1,
      transport: 'udp',
      priority: 2122260223,
      address: '192.168.1.5',
      port: 56143,
      type: 'host',
      relatedAddress: undefined,
      relatedPort: undefined,
      tcpType: undefined,
      generation: 0,
      extensions: [
        { name: 'network-id', value: '1' },
        { name: 'network-cost', value: '10' },
      ],
    });
  });

  it('reads a Chrome mDNS host candidate', () => {
    const c = candidate(
      '2999745851 1 udp 2122194687 9b36eaac-bb2e-49bb-bb78-21c41c499900.local 56145 typ host generation 0 network-id 3',
    );
    expect(c.address).toBe('9b36eaac-bb2e-49bb-bb78-21c41c499900.local');
    expect(c.type).toBe('host');
  });

  it('reads a Chrome srflx candidate with raddr/rport', () => {
    const c = candidate(
      '842163049 1 udp 1686052607 203.0.113.7 56143 typ srflx raddr 192.168.1.5 rport 56143 generation 0 network-id 1 network-cost 10',
    );
    expect(c.type).toBe('srflx');
    expect(c.relatedAddress).toBe('192.168.1.5');
    expect(c.relatedPort).toBe(56143);
  });

  it('reads a Chrome TCP active candidate (RFC 6544 tcptype)', () => {
    const c = candidate(
      '4233069003 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active generation 0 network-id 1',
    );
    expect(c.transport).toBe('tcp');
    expect(c.port).toBe(9);
    expect(c.tcpType).toBe('active');
    expect(c.extensions).toEqual([{ name: 'network-id', value: '1' }]);
  });

  it('reads a Chrome relay candidate with a ufrag extension', () => {
    const c = candidate(
      '1441463223 1 udp 41885439 198.51.100.1 50000 typ relay raddr 203.0.113.7 rport 56143 generation 0 ufrag EsAw network-id 1',
    );
    expect(c.type).toBe('relay');
    expect(c.extensions).toEqual([
      { name: 'ufrag', value: 'EsAw' },
      { name: 'network-id', value: '1' },
    ]);
  });

  it('reads an IPv6 host candidate', () => {
    expect(candidate('1510613869 1 udp 2122262783 2001:db8::5 56144 typ host').address).toBe('2001:db8::5');
  });

  it('reads baresip candidates (upper-case UDP, RTCP component)', () => {
    const c = candidate('1 2 UDP 2113932030 10.0.0.2 10561 typ host');
    expect(c).toMatchObject({
      foundation: '1',
      component: 2,
      transport: 'UDP',
      priority: 2113932030,
      port: 10561,
      type: 'host',
    });
    expect(c.extensions).toEqual([]);
  });

  it('reads Asterisk candidates (letter-prefixed hex foundations)', () => {
    const c = candidate(
      'Sc6337114 1 UDP 1694498815 198.51.100.99 14562 typ srflx raddr 203.0.113.10 rport 14562',
    );
    expect(c).toMatchObject({
      foundation: 'Sc6337114',
      type: 'srflx',
      relatedAddress: '203.0.113.10',
      relatedPort: 14562,
    });
  });

  it('reads a prflx candidate and an unknown future type as a token', () => {
    expect(candidate('a+/b 1 UDP 1 192.0.2.1 1 typ prflx raddr 192.0.2.2 rport 2').type).toBe('prflx');
    expect(candidate('f 1 UDP 1 192.0.2.1 1 typ future-type').type).toBe('future-type');
  });

  it('reads a transport extension token (RFC 8839 transport-extension)', () => {
    expect(candidate('f 1 SCTP 1 192.0.2.1 1 typ host').transport).toBe('SCTP');
  });

  it.each([
    [
      '1 1 UDP 1 192.0.2.1 1 typ',
      'a candidate needs at least 8 fields: foundation component transport priority address port typ type',
    ],
    ['f-1 1 UDP 1 192.0.2.1 1 typ host', 'foundation "f-1" is not 1-32 ice-chars'],
    [
      `${'a'.repeat(33)} 1 UDP 1 192.0.2.1 1 typ host`,
      `foundation "${'a'.repeat(33)}" is not 1-32 ice-chars`,
    ],
    ['f 0 UDP 1 192.0.2.1 1 typ host', 'component 0 is not 1-256'],
    ['f 1000 UDP 1 192.0.2.1 1 typ host', 'component "1000" is not 1-3 digits'],
    ['f 1 UDP 4294967296 192.0.2.1 1 typ host', 'priority "4294967296" is not 0-4294967295'],
    ['f 1 UDP 1 192.0.2.1 65536 typ host', 'port "65536" is not 0-65535'],
    ['f 1 UDP 1 192.0.2.1 1 type host', 'expected "typ" before the candidate type, found "type"'],
    ['f 1 UDP 1 192.0.2.1 1 typ srflx raddr', '"raddr" is not followed by an address'],
    ['f 1 UDP 1 192.0.2.1 1 typ srflx raddr 192.0.2.2 rport x', '"rport" is not followed by a port 0-65535'],
    ['f 1 UDP 1 192.0.2.1 1 typ host generation', 'extension "generation" has no value'],
    ['f 1 TCP 1 192.0.2.1 9 typ host tcptype sideways', 'tcptype "sideways" is not active, passive or so'],
    ['f 1 UDP 1 192.0.2.1 1 typ host generation zero', 'generation "zero" is not a number'],
  ])('rejects %s', (value, reason) => {
    expect(readCandidate(value)).toEqual({ ok: false, reason });
  });

  it('writes candidates: raddr, rport, tcptype, generation, then other extensions', () => {
    const c = candidate(
      '1441463223 1 udp 41885439 198.51.100.1 50000 typ relay raddr 203.0.113.7 rport 56143 generation 0 ufrag EsAw network-id 1',
    );
    expect(formatCandidate(c)).toBe(
      '1441463223 1 udp 41885439 198.51.100.1 50000 typ relay raddr 203.0.113.7 rport 56143 generation 0 ufrag EsAw network-id 1',
    );
    expect(
      formatCandidate({
        foundation: '4',
        component: 1,
        transport: 'TCP',
        priority: 1518280447,
        address: '192.0.2.4',
        port: 9,
        type: 'host',
        tcpType: 'active',
        extensions: [],
      }),
    ).toBe('4 1 TCP 1518280447 192.0.2.4 9 typ host tcptype active');
  });

  it('reads remote-candidates (RFC 8839 §5.2)', () => {
    const r = readRemoteCandidates('1 192.0.2.3 45664 2 192.0.2.3 45665');
    expect(r).toEqual({
      ok: true,
      value: [
        { component: 1, address: '192.0.2.3', port: 45664 },
        { component: 2, address: '192.0.2.3', port: 45665 },
      ],
    });
    expect(r.ok && formatRemoteCandidates(r.value)).toBe('1 192.0.2.3 45664 2 192.0.2.3 45665');
    expect(readRemoteCandidates('1 192.0.2.3')).toEqual({
      ok: false,
      reason: 'expected groups of "<component> <address> <port>"',
    });
  });

  it('reads ice-options', () => {
    expect(readIceOptions('trickle ice2')).toEqual({ ok: true, value: ['trickle', 'ice2'] });
    expect(readIceOptions('')).toEqual({ ok: false, reason: 'no ICE option tags' });
  });
});

describe('iceDescription: session/media precedence (RFC 8839 §5.4)', () => {
  const text = crlf(
    'v=0',
    'o=- 1 1 IN IP4 192.0.2.1',
    's=-',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    'a=ice-lite',
    'a=ice-ufrag:SESS',
    'a=ice-pwd:sessionpasswordsessionpw',
    'a=ice-options:trickle',
    'm=audio 4000 RTP/AVP 0',
    'a=ice-ufrag:MEDIA1',
    'a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 typ host',
    'a=remote-candidates:1 198.51.100.3 5000',
    'a=end-of-candidates',
    'm=audio 4002 RTP/AVP 0',
  );

  it('takes media-level values over session-level ones and lite/options from the session', () => {
    const d = sdp(text);
    const [first, second] = d.media as [(typeof d.media)[0], (typeof d.media)[0]];
    expect(iceDescription(first, d)).toEqual({
      ufrag: 'MEDIA1',
      pwd: 'sessionpasswordsessionpw',
      lite: true,
      options: ['trickle'],
      candidates: [
        {
          foundation: '1',
          component: 1,
          transport: 'UDP',
          priority: 2130706431,
          address: '192.0.2.1',
          port: 4000,
          type: 'host',
          relatedAddress: undefined,
          relatedPort: undefined,
          tcpType: undefined,
          generation: undefined,
          extensions: [],
        },
      ],
      remoteCandidates: [{ component: 1, address: '198.51.100.3', port: 5000 }],
      endOfCandidates: true,
    });
    expect(iceDescription(second, d)).toMatchObject({
      ufrag: 'SESS',
      candidates: [],
      remoteCandidates: [],
      endOfCandidates: false,
    });
  });
});

describe('mid / ssrc / security attributes (kept, typed)', () => {
  it('reads ssrc with and without a value', () => {
    expect(readSsrc('3735928559 cname:k3Xn0fV6yXG9Pq2s')).toEqual({
      ok: true,
      value: { ssrc: 3735928559, attribute: 'cname', value: 'k3Xn0fV6yXG9Pq2s' },
    });
    expect(readSsrc('1 msid:a b')).toEqual({ ok: true, value: { ssrc: 1, attribute: 'msid', value: 'a b' } });
    expect(readSsrc('5 previous-ssrc')).toEqual({ ok: true, value: { ssrc: 5, attribute: 'previous-ssrc' } });
    expect(readSsrc('4294967296 cname:x')).toEqual({
      ok: false,
      reason: 'ssrc "4294967296" is not 0-4294967295',
    });
  });

  it('reads crypto (RFC 4568)', () => {
    expect(
      readCrypto(
        '1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31 UNENCRYPTED_SRTCP',
      ),
    ).toEqual({
      ok: true,
      value: {
        tag: 1,
        suite: 'AES_CM_128_HMAC_SHA1_80',
        keyParams: 'inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31',
        sessionParams: ['UNENCRYPTED_SRTCP'],
      },
    });
    expect(readCrypto('x AES_CM_128_HMAC_SHA1_80 inline:abc')).toEqual({
      ok: false,
      reason: 'tag "x" is not 1-9 digits',
    });
  });

  it('reads fingerprint (RFC 8122) and setup (RFC 4145)', () => {
    expect(readFingerprint('sha-256 D2:FA:0E')).toEqual({
      ok: true,
      value: { hashFunction: 'sha-256', fingerprint: 'D2:FA:0E' },
    });
    expect(readFingerprint('sha-256 D2FA0E')).toEqual({
      ok: false,
      reason: 'fingerprint is not colon-separated hex pairs',
    });
    expect(readSetup('actpass')).toEqual({ ok: true, value: 'actpass' });
    expect(readSetup('both')).toEqual({
      ok: false,
      reason: 'setup role "both" is not active, passive, actpass or holdconn',
    });
  });
});
