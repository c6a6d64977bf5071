import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { MemoryHost } from '../../../../src-main/platform/index.ts';
import { MediaPortAllocator } from '../../../../src-main/media/transport/index.ts';

function host(): { net: MemoryNetwork; host: MemoryHost } {
  const net = new MemoryNetwork(new FakeClock());
  return { net, host: net.host(['203.0.113.7', '2001:db8::7']) };
}

describe('MediaPortAllocator', () => {
  it('binds an even RTP port and the next odd one for RTCP, starting at a random pair of the range', async () => {
    const { net, host: h } = host();
    // 16384–32767 holds 8192 pairs; random 0.5 → pair 4096 → port 16384 + 8192.
    const allocator = new MediaPortAllocator({ network: h, random: () => 0.5 });
    const result = await allocator.allocate({ family: 4, rtcpMux: false });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([result.rtp.local.port, result.rtcp?.local.port]).toEqual([24_576, 24_577]);
    expect([result.rtp.component, result.rtcp?.component]).toEqual(['rtp', 'rtcp']);
    result.rtp.close();
    result.rtcp?.close();
    expect(net.openSockets()).toBe(0);
  });

  it('binds one socket with rtcp-mux, on IPv6 and on a given address', async () => {
    const { net, host: h } = host();
    const allocator = new MediaPortAllocator({
      network: h,
      range: { min: 40_001, max: 40_010 },
      random: () => 0,
    });
    const v6 = await allocator.allocate({ family: 6, rtcpMux: true });
    const v4 = await allocator.allocate({ family: 4, address: '203.0.113.7', rtcpMux: true });
    expect(v6.ok && v4.ok).toBe(true);
    if (!v6.ok || !v4.ok) return;
    // The first even port of 40001–40010 is 40002.
    expect(v6.rtp.local).toEqual({ address: '::', port: 40_002, family: 6 });
    expect(v4.rtp.local).toEqual({ address: '203.0.113.7', port: 40_002, family: 4 });
    expect([v6.rtcp, v4.rtcp]).toEqual([undefined, undefined]);
    v6.rtp.close();
    v4.rtp.close();
    expect(net.openSockets()).toBe(0);
  });

  it('moves on to the next pair when either port is in use, wrapping around the range', async () => {
    const { net, host: h } = host();
    const range = { min: 50_000, max: 50_007 }; // pairs 50000, 50002, 50004, 50006
    const busyRtcp = await h.bindDatagram({ family: 4, port: 50_005 });
    const busyRtp = await h.bindDatagram({ family: 4, port: 50_006 });
    // random 0.5 → pair 2 (50004): its RTCP port is taken; 50006 is taken; wrap to 50000.
    const allocator = new MediaPortAllocator({ network: h, range, random: () => 0.5 });
    const result = await allocator.allocate({ family: 4, rtcpMux: false });
    expect(result.ok && [result.rtp.local.port, result.rtcp?.local.port]).toEqual([50_000, 50_001]);
    // The RTP socket bound on 50004 while probing was released again.
    expect(net.openSockets()).toBe(4);
    const second = await allocator.allocate({ family: 4, rtcpMux: false });
    expect(second.ok && second.rtp.local.port).toBe(50_002);
    const third = await allocator.allocate({ family: 4, rtcpMux: false });
    expect(third).toMatchObject({ ok: false, error: 'ports-exhausted' });
    for (const r of [result, second]) {
      if (r.ok) {
        r.rtp.close();
        r.rtcp?.close();
      }
    }
    busyRtcp.close();
    busyRtp.close();
    expect(net.openSockets()).toBe(0);
  });

  it('reports an address the host does not have as a value, and refuses malformed ranges', async () => {
    const { host: h } = host();
    const allocator = new MediaPortAllocator({ network: h, random: () => 0 });
    const result = await allocator.allocate({ family: 4, address: '198.51.100.1', rtcpMux: true });
    expect(result).toMatchObject({ ok: false, error: 'address-unavailable' });
    expect(() => new MediaPortAllocator({ network: h, range: { min: 10, max: 5 } })).toThrow(RangeError);
    expect(() => new MediaPortAllocator({ network: h, range: { min: 5001, max: 5001 } })).toThrow(
      /no even\/odd/,
    );
    expect(() => new MediaPortAllocator({ network: h, range: { min: 0, max: 100 } })).toThrow(RangeError);
  });
});
