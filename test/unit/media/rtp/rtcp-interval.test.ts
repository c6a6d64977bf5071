import { describe, expect, it } from 'vitest';
import { RTCP_COMPENSATION, rtcpIntervalMs } from '../../../../src-main/media/rtp/index.ts';

const base = {
  members: 2,
  senders: 2,
  rtcpBandwidth: 500,
  weSent: true,
  avgRtcpSize: 100,
  initial: false,
  random: () => 0.5,
};

describe('rtcpIntervalMs (RFC 3550 §6.3.1, §A.7)', () => {
  it('uses Tmin = 5 s, halved before the first report, divided by e − 3/2', () => {
    expect(RTCP_COMPENSATION).toBeCloseTo(1.21828, 5);
    expect(rtcpIntervalMs(base)).toBe(Math.round(5000 / RTCP_COMPENSATION)); // 4104
    expect(rtcpIntervalMs({ ...base, initial: true })).toBe(Math.round(2500 / RTCP_COMPENSATION)); // 2052
  });

  it('randomizes uniformly over [0.5, 1.5] of the deterministic interval', () => {
    expect(rtcpIntervalMs({ ...base, random: () => 0 })).toBe(Math.round(2500 / RTCP_COMPENSATION));
    expect(rtcpIntervalMs({ ...base, random: () => 0.999999 })).toBe(
      Math.round((5000 * 1.499999) / RTCP_COMPENSATION),
    );
  });

  it('scales with the membership once n·C exceeds Tmin, splitting the bandwidth 25/75 among senders and receivers', () => {
    // 100 members, 10 senders (≤ 25%): a receiver shares 75% of 500 octets/s with 90 others.
    const receiver = rtcpIntervalMs({ ...base, members: 100, senders: 10, weSent: false });
    expect(receiver).toBe(Math.round((1000 * 100 * 90) / (500 * 0.75) / RTCP_COMPENSATION));
    const sender = rtcpIntervalMs({ ...base, members: 100, senders: 10, weSent: true });
    expect(sender).toBe(Math.round((1000 * 100 * 10) / (500 * 0.25) / RTCP_COMPENSATION));
    // More than 25% senders: everyone shares the whole bandwidth.
    expect(rtcpIntervalMs({ ...base, members: 100, senders: 50 })).toBe(
      Math.round((1000 * 100 * 100) / 500 / RTCP_COMPENSATION),
    );
  });

  it('honours a shorter minimum for tests', () => {
    expect(rtcpIntervalMs({ ...base, minIntervalMs: 1000, initial: true })).toBe(
      Math.round(500 / RTCP_COMPENSATION),
    );
  });
});
