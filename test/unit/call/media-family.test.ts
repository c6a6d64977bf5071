import { describe, expect, it } from 'vitest';
import { mediaAddressFor, offeredMediaAddress, offeredMediaFamily } from '../../../src-main/call/index.ts';
import { parseSdp } from '../../../src-main/sdp/index.ts';
import type { SessionDescription } from '../../../src-main/sdp/index.ts';
import type { NetworkInterfaceAddress } from '../../../src-main/platform/index.ts';

function sdp(lines: string[]): SessionDescription {
  const parsed = parseSdp(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', ...lines, ''].join('\r\n'));
  if (!parsed.ok) throw new Error(parsed.error.reason);
  return parsed.sdp;
}

const AUDIO = ['m=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000'];

describe('offeredMediaFamily: where the offer wants media', () => {
  it('reads the audio stream’s c=, falling back to the session’s', () => {
    expect(offeredMediaFamily(sdp(['c=IN IP4 192.0.2.1', ...AUDIO]))).toBe(4);
    expect(offeredMediaFamily(sdp(['c=IN IP6 2001:db8::1', ...AUDIO]))).toBe(6);
    const mediaLevel = sdp(['c=IN IP4 192.0.2.1', ...AUDIO, 'c=IN IP6 ::1']);
    expect([offeredMediaAddress(mediaLevel), offeredMediaFamily(mediaLevel)]).toEqual(['::1', 6]);
  });

  it('knows nothing from no offer, no active audio, a hold address or a name', () => {
    expect(offeredMediaFamily(undefined)).toBeUndefined();
    expect(offeredMediaFamily(sdp(['c=IN IP6 ::1', 'm=audio 0 RTP/AVP 0']))).toBeUndefined();
    expect(offeredMediaFamily(sdp(['c=IN IP4 0.0.0.0', ...AUDIO]))).toBeUndefined();
    expect(offeredMediaFamily(sdp(['c=IN IP6 ::', ...AUDIO]))).toBeUndefined();
    expect(offeredMediaFamily(sdp(['c=IN IP6 media.example.com', ...AUDIO]))).toBeUndefined();
  });
});

describe('mediaAddressFor: the address c= names for our sockets', () => {
  const ifaces: NetworkInterfaceAddress[] = [
    { name: 'lo', address: '127.0.0.1', family: 4, internal: true },
    { name: 'lo', address: '::1', family: 6, internal: true },
    { name: 'eth0', address: '192.0.2.2', family: 4, internal: false },
    { name: 'eth0', address: 'fe80::1', family: 6, internal: false },
    { name: 'eth0', address: '2001:db8::2', family: 6, internal: false },
  ];
  const network = { interfaces: () => ifaces };

  it('is the SIP flow’s address when it is of the sockets’ family', () => {
    expect(mediaAddressFor(network, 4, '192.0.2.2', '2001:db8::9')).toBe('192.0.2.2');
    expect(mediaAddressFor(network, 6, '::1', '2001:db8::9')).toBe('::1');
  });

  it('else a global address of the family (not link-local), or loopback for a loopback peer', () => {
    expect(mediaAddressFor(network, 6, '192.0.2.2', '2001:db8::9')).toBe('2001:db8::2');
    expect(mediaAddressFor(network, 6, '192.0.2.2')).toBe('2001:db8::2');
    expect(mediaAddressFor(network, 6, '192.0.2.2', '0:0:0:0:0:0:0:1')).toBe('::1');
    expect(mediaAddressFor(network, 4, '2001:db8::2', '127.0.0.1')).toBe('127.0.0.1');
    expect(mediaAddressFor(network, 4, '2001:db8::2', '198.51.100.7')).toBe('192.0.2.2');
  });

  it('falls back to loopback without a global address, and to the flow’s without any of the family', () => {
    const loopbackOnly = { interfaces: () => ifaces.filter((i) => i.name === 'lo' || i.family === 4) };
    expect(mediaAddressFor(loopbackOnly, 6, '192.0.2.2', '2001:db8::9')).toBe('::1');
    const v4Only = { interfaces: () => ifaces.filter((i) => i.family === 4) };
    expect(mediaAddressFor(v4Only, 6, '192.0.2.2')).toBe('192.0.2.2');
  });
});
