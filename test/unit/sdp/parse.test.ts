import { describe, expect, it } from 'vitest';
import { buildSdp, parseSdp } from '../../../src-main/sdp/index.ts';
import type { SessionDescription } from '../../../src-main/sdp/index.ts';
import { crlf, sdp } from './helpers.ts';

/** RFC 8866 §5 example, extended with every session-level line type. */
const FULL = crlf(
  'v=0',
  'o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1',
  's=Call to John Smith',
  'i=SDP Offer #1',
  'u=http://www.jdoe.example.com/home.html',
  'e=Jane Doe <jane@jdoe.example.com>',
  'p=+1 617 555-6011',
  'c=IN IP4 198.51.100.1',
  'b=AS:128',
  't=0 0',
  't=3724394400 3724398000',
  'r=7d 1h 0 25h',
  'z=2882844526 -1h 2898848070 0',
  'k=prompt',
  'a=tool:jdoe-phone 1.0',
  'a=x-unknown-flag',
  'm=audio 49170 RTP/AVP 0',
  'i=main audio',
  'c=IN IP4 198.51.100.2',
  'b=TIAS:64000',
  'k=prompt',
  'a=x-vendor:some value with  spaces',
  'a=rtpmap:0 PCMU/8000',
  'a=x-empty:',
  'm=video 51372/2 RTP/AVP 99',
  'c=IN IP4 233.252.0.1/127/2',
  'a=rtpmap:99 h263-1998/90000',
);

describe('parseSdp: structure', () => {
  it('reads every line type into the model', () => {
    const d = sdp(FULL);
    expect(d.origin).toEqual({
      username: 'jdoe',
      sessionId: '3724394400',
      sessionVersion: '3724394405',
      netType: 'IN',
      addressType: 'IP4',
      address: '198.51.100.1',
    });
    expect(d.sessionName).toBe('Call to John Smith');
    expect(d.information).toBe('SDP Offer #1');
    expect(d.uri).toBe('http://www.jdoe.example.com/home.html');
    expect(d.emails).toEqual(['Jane Doe <jane@jdoe.example.com>']);
    expect(d.phones).toEqual(['+1 617 555-6011']);
    expect(d.connection).toEqual({
      netType: 'IN',
      addressType: 'IP4',
      address: '198.51.100.1',
      ttl: undefined,
      count: undefined,
    });
    expect(d.bandwidths).toEqual([{ type: 'AS', value: 128 }]);
    expect(d.timings).toEqual([
      { start: 0, stop: 0, repeats: [] },
      { start: 3724394400, stop: 3724398000, repeats: ['7d 1h 0 25h'] },
    ]);
    expect(d.timeZones).toBe('2882844526 -1h 2898848070 0');
    expect(d.encryptionKey).toBe('prompt');
    expect(d.attributes).toEqual([{ name: 'tool', value: 'jdoe-phone 1.0' }, { name: 'x-unknown-flag' }]);
    expect(d.media).toHaveLength(2);
    const [audio, video] = d.media as [SessionDescription['media'][0], SessionDescription['media'][0]];
    expect(audio.type).toBe('audio');
    expect(audio.port).toBe(49170);
    expect(audio.portCount).toBeUndefined();
    expect(audio.protocol).toBe('RTP/AVP');
    expect(audio.formats).toEqual(['0']);
    expect(audio.information).toBe('main audio');
    expect(audio.bandwidths).toEqual([{ type: 'TIAS', value: 64000 }]);
    expect(audio.encryptionKey).toBe('prompt');
    expect(audio.attributes).toEqual([
      { name: 'x-vendor', value: 'some value with  spaces' },
      { name: 'rtpmap', value: '0 PCMU/8000' },
      { name: 'x-empty', value: '' },
    ]);
    expect(video.port).toBe(51372);
    expect(video.portCount).toBe(2);
    expect(video.connections).toEqual([
      { netType: 'IN', addressType: 'IP4', address: '233.252.0.1', ttl: 127, count: 2 },
    ]);
  });

  it('round-trips byte for byte, unknown attributes and lines included, in order', () => {
    const r = parseSdp(FULL);
    expect(r.ok && r.warnings).toEqual([]);
    expect(buildSdp(sdp(FULL))).toBe(FULL);
  });

  it('tolerates LF-only line endings and trailing whitespace, and builds with CRLF', () => {
    const lf =
      'v=0\no=- 1 1 IN IP4 192.0.2.1 \ns=-\t\nc=IN IP4 192.0.2.1\nt=0 0  \nm=audio 4000 RTP/AVP 0 \na=sendrecv \n\n\n';
    const r = parseSdp(lf);
    expect(r.ok && r.warnings).toEqual([]);
    expect(buildSdp(sdp(lf))).toBe(
      crlf(
        'v=0',
        'o=- 1 1 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'm=audio 4000 RTP/AVP 0',
        'a=sendrecv',
      ),
    );
  });

  it('tolerates a missing final line ending and mixed endings', () => {
    const text = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\ns=-\r\nc=IN IP4 192.0.2.1\nt=0 0';
    expect(buildSdp(sdp(text))).toBe(
      crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'),
    );
  });

  it('writes an empty session name as "s= " (RFC 8866 §5.3)', () => {
    const d = sdp('v=0\no=- 1 1 IN IP4 192.0.2.1\ns=\nt=0 0\n');
    expect(d.sessionName).toBe('');
    expect(buildSdp(d)).toBe(crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's= ', 't=0 0'));
    // RFC 4317's "s= " (a single space) reads the same way and round-trips exactly.
    expect(buildSdp(sdp(crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's= ', 't=0 0')))).toBe(
      crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's= ', 't=0 0'),
    );
  });

  it('reads IPv6 connection addresses with an address count', () => {
    const d = sdp(crlf('v=0', 'o=- 1 1 IN IP6 2001:db8::1', 's=-', 'c=IN IP6 ff15::101/3', 't=0 0'));
    expect(d.connection).toEqual({ netType: 'IN', addressType: 'IP6', address: 'ff15::101', count: 3 });
    expect(buildSdp(d)).toContain('c=IN IP6 ff15::101/3\r\n');
  });

  it('keeps session ids and versions longer than 2^53 exactly', () => {
    const d = sdp(
      crlf('v=0', 'o=- 4611731400430051336 18446744073709551615 IN IP4 127.0.0.1', 's=-', 't=0 0'),
    );
    expect(d.origin.sessionId).toBe('4611731400430051336');
    expect(d.origin.sessionVersion).toBe('18446744073709551615');
  });

  it('accepts a rejected m-line without formats, with a warning naming it', () => {
    const r = parseSdp(crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=video 0 RTP/AVP'));
    expect(r.ok).toBe(true);
    expect(r.ok && r.warnings).toEqual([
      {
        line: 5,
        content: 'm=video 0 RTP/AVP',
        reason: 'rejected media description lists no format (RFC 8866 requires one)',
      },
    ]);
  });
});

describe('parseSdp: errors name the line', () => {
  const base = [
    'v=0',
    'o=- 1 1 IN IP4 192.0.2.1',
    's=-',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    'm=audio 4000 RTP/AVP 0',
  ];
  const withLine = (index: number, line: string): string => {
    const lines = [...base];
    lines.splice(index, 0, line);
    return crlf(...lines);
  };
  const replaced = (index: number, line: string): string => {
    const lines = [...base];
    lines[index] = line;
    return crlf(...lines);
  };

  const cases: [string, string, { line: number; content: string; reason: string }][] = [
    [
      'not type=value',
      withLine(6, 'a sendrecv'),
      { line: 7, content: 'a sendrecv', reason: 'expected "<type>=<value>"' },
    ],
    [
      'upper-case type letter',
      withLine(6, 'A=sendrecv'),
      { line: 7, content: 'A=sendrecv', reason: 'type letter "A" must be lower case' },
    ],
    [
      'unknown type letter',
      withLine(5, 'x=whatever'),
      { line: 6, content: 'x=whatever', reason: 'unknown type letter "x"' },
    ],
    [
      'first line not v=',
      replaced(0, 's=-'),
      { line: 1, content: 's=-', reason: 'a session description must start with "v=0"' },
    ],
    [
      'wrong version',
      replaced(0, 'v=1'),
      { line: 1, content: 'v=1', reason: 'unsupported SDP version "1" (only 0 exists)' },
    ],
    [
      'short origin',
      replaced(1, 'o=- 1 IN IP4 192.0.2.1'),
      {
        line: 2,
        content: 'o=- 1 IN IP4 192.0.2.1',
        reason: 'expected "o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>"',
      },
    ],
    [
      'non-numeric version',
      replaced(1, 'o=- 1 v2 IN IP4 192.0.2.1'),
      { line: 2, content: 'o=- 1 v2 IN IP4 192.0.2.1', reason: 'session version "v2" is not a number' },
    ],
    [
      'bad IPv4 address',
      replaced(3, 'c=IN IP4 192.0.2.300'),
      { line: 4, content: 'c=IN IP4 192.0.2.300', reason: '"192.0.2.300" is not a valid IPv4 address' },
    ],
    [
      'connection with two fields',
      replaced(3, 'c=IN 192.0.2.1'),
      {
        line: 4,
        content: 'c=IN 192.0.2.1',
        reason: 'expected "c=<nettype> <addrtype> <connection-address>"',
      },
    ],
    [
      'bad timing',
      replaced(4, 't=now 0'),
      { line: 5, content: 't=now 0', reason: 'expected "t=<start-time> <stop-time>"' },
    ],
    [
      'port out of range',
      replaced(5, 'm=audio 70000 RTP/AVP 0'),
      { line: 6, content: 'm=audio 70000 RTP/AVP 0', reason: 'port "70000" is not 0-65535' },
    ],
    [
      'media line without formats',
      replaced(5, 'm=audio 4000 RTP/AVP'),
      { line: 6, content: 'm=audio 4000 RTP/AVP', reason: 'a media description needs at least one format' },
    ],
    [
      'media line too short',
      replaced(5, 'm=audio 4000'),
      { line: 6, content: 'm=audio 4000', reason: 'expected "m=<media> <port>[/<count>] <proto> <fmt> ..."' },
    ],
    [
      'bad bandwidth',
      withLine(4, 'b=AS'),
      { line: 5, content: 'b=AS', reason: 'expected "b=<bwtype>:<bandwidth>"' },
    ],
    [
      'duplicate s=',
      withLine(3, 's=again'),
      { line: 4, content: 's=again', reason: '"s=" may appear only once at session level' },
    ],
    [
      'session-only line in media',
      withLine(6, 't=0 0'),
      {
        line: 7,
        content: 't=0 0',
        reason: '"t=" is a session-level line and may not appear inside a media description',
      },
    ],
    [
      'r= before t=',
      withLine(4, 'r=7d 1h 0 25h'),
      { line: 5, content: 'r=7d 1h 0 25h', reason: '"r=" must follow a "t=" line' },
    ],
    [
      'blank line inside',
      withLine(5, ''),
      { line: 6, content: '', reason: 'blank line inside the session description' },
    ],
    [
      'attribute name not a token',
      withLine(6, 'a=bad name:1'),
      { line: 7, content: 'a=bad name:1', reason: 'attribute name "bad name" is not a token' },
    ],
  ];

  it.each(cases)('%s', (_name, text, error) => {
    expect(parseSdp(text)).toEqual({ ok: false, error });
  });

  it('reports a missing t= at the last line', () => {
    const text = crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-');
    expect(parseSdp(text)).toEqual({
      ok: false,
      error: { line: 3, content: 's=-', reason: 'the session description has no "t=" line' },
    });
  });

  it('reports a missing o=', () => {
    expect(parseSdp(crlf('v=0', 's=-', 't=0 0'))).toEqual({
      ok: false,
      error: { line: 3, content: 't=0 0', reason: 'the session description has no "o=" line' },
    });
  });

  it('reports an active stream without any connection address at its m= line', () => {
    const text = crlf(
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.1',
      's=-',
      't=0 0',
      'm=audio 0 RTP/AVP 0',
      'm=audio 4000 RTP/AVP 0',
    );
    expect(parseSdp(text)).toEqual({
      ok: false,
      error: {
        line: 6,
        content: 'm=audio 4000 RTP/AVP 0',
        reason: 'media description has no "c=" line and there is none at session level',
      },
    });
  });

  it('reports an empty text', () => {
    expect(parseSdp('')).toEqual({
      ok: false,
      error: { line: 1, content: '', reason: 'empty session description' },
    });
    expect(parseSdp('\r\n\r\n')).toEqual({
      ok: false,
      error: { line: 1, content: '', reason: 'empty session description' },
    });
  });

  it('reports a stray carriage return', () => {
    const text = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=a\rb\r\nt=0 0\r\n';
    expect(parseSdp(text)).toEqual({
      ok: false,
      error: { line: 3, content: 's=a\rb', reason: 'carriage return inside a line' },
    });
  });
});

describe('parseSdp: warnings keep the description usable', () => {
  const head = [
    'v=0',
    'o=- 1 1 IN IP4 192.0.2.1',
    's=-',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    'm=audio 4000 RTP/AVP 0 96',
  ];

  it('reports malformed known attributes with their line and keeps them verbatim', () => {
    const text = crlf(
      ...head,
      'a=rtpmap:96 telephone-event',
      'a=ptime:fast',
      'a=rtcp:99999',
      'a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 host',
      'a=sendrecv:yes',
      'a=rtcp-mux',
    );
    const r = parseSdp(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([
      {
        line: 7,
        content: 'a=rtpmap:96 telephone-event',
        reason: 'encoding "telephone-event" is not name/rate[/params]',
      },
      { line: 8, content: 'a=ptime:fast', reason: '"fast" is not a number of milliseconds' },
      { line: 9, content: 'a=rtcp:99999', reason: 'port "99999" is not 0-65535' },
      {
        line: 10,
        content: 'a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 host',
        reason:
          'a candidate needs at least 8 fields: foundation component transport priority address port typ type',
      },
      { line: 11, content: 'a=sendrecv:yes', reason: '"sendrecv" takes no value' },
    ]);
    expect(buildSdp(r.sdp)).toBe(text);
  });

  it('warns about lines out of RFC 8866 order and writes them back in order', () => {
    const text = crlf(
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.1',
      's=-',
      't=0 0',
      'c=IN IP4 192.0.2.1',
      'm=audio 4000 RTP/AVP 0',
      'a=sendrecv',
      'c=IN IP4 192.0.2.2',
    );
    const r = parseSdp(text);
    expect(r.ok && r.warnings).toEqual([
      {
        line: 5,
        content: 'c=IN IP4 192.0.2.1',
        reason: '"c=" is out of RFC 8866 order in the session section (written back in order)',
      },
      {
        line: 8,
        content: 'c=IN IP4 192.0.2.2',
        reason: '"c=" is out of RFC 8866 order in the media section (written back in order)',
      },
    ]);
    expect(r.ok && buildSdp(r.sdp)).toBe(
      crlf(
        'v=0',
        'o=- 1 1 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'm=audio 4000 RTP/AVP 0',
        'c=IN IP4 192.0.2.2',
        'a=sendrecv',
      ),
    );
  });

  it('warns about a second direction attribute', () => {
    const r = parseSdp(crlf(...head, 'a=sendonly', 'a=inactive'));
    expect(r.ok && r.warnings).toEqual([
      {
        line: 8,
        content: 'a=inactive',
        reason: 'a second direction attribute in this section; the last one ("inactive") counts',
      },
    ]);
  });

  it('warns about non-numeric formats on an RTP m-line', () => {
    const r = parseSdp(crlf(...head.slice(0, 5), 'm=audio 4000 RTP/AVP 0 abc'));
    expect(r.ok && r.warnings).toEqual([
      {
        line: 6,
        content: 'm=audio 4000 RTP/AVP 0 abc',
        reason: 'format "abc" is not an RTP payload type 0-127',
      },
    ]);
  });

  it('warns about ICE credentials outside RFC 8839 §5.4 but keeps them', () => {
    const r = parseSdp(crlf(...head, 'a=ice-ufrag:ab', 'a=ice-pwd:short_pwd'));
    expect(r.ok && r.warnings).toEqual([
      { line: 7, content: 'a=ice-ufrag:ab', reason: 'ice-ufrag length 2 is not 4-256' },
      {
        line: 8,
        content: 'a=ice-pwd:short_pwd',
        reason: 'ice-pwd has characters outside ALPHA / DIGIT / "+" / "/"',
      },
    ]);
  });
});
