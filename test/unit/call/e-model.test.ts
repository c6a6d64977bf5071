/**
 * The simplified ITU-T G.107 E-model (call/e-model.ts) at known points: G.107 Annex B's R→MOS curve,
 * the delay impairment around its 177.3 ms knee, G.113 Appendix I's G.711 loss robustness with and
 * without concealment, and whole-call estimates.
 */
import { describe, expect, it } from 'vitest';
import {
  G711_IMPAIRMENT,
  R_DEFAULT,
  codecImpairment,
  delayImpairment,
  effectiveEquipmentImpairment,
  estimateMos,
  mosFromR,
  rFactor,
} from '../../../src-main/call/index.ts';

describe('G.107 Annex B: MOS from R', () => {
  it('follows MOS = 1 + 0.035R + R(R−60)(100−R)·7·10⁻⁶ inside 0…100', () => {
    expect(mosFromR(50)).toBeCloseTo(2.575, 10);
    expect(mosFromR(60)).toBeCloseTo(3.1, 10);
    expect(mosFromR(70)).toBeCloseTo(3.597, 10);
    expect(mosFromR(80)).toBeCloseTo(4.024, 10);
    expect(mosFromR(90)).toBeCloseTo(4.339, 10);
    // The default R of a perfect narrow-band call: the familiar 4.41 ceiling of G.711.
    expect(mosFromR(R_DEFAULT)).toBeCloseTo(4.409286, 6);
  });

  it('is 1 below R = 0 and 4.5 above R = 100', () => {
    expect(mosFromR(-20)).toBe(1);
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(100)).toBeCloseTo(4.5, 10);
    expect(mosFromR(120)).toBe(4.5);
  });
});

describe('impairments', () => {
  it('Id: 0.024·d, plus 0.11·(d − 177.3) past the knee', () => {
    expect(delayImpairment(0)).toBe(0);
    expect(delayImpairment(-5)).toBe(0);
    expect(delayImpairment(150)).toBeCloseTo(3.6, 10);
    expect(delayImpairment(177.3)).toBeCloseTo(4.2552, 10);
    expect(delayImpairment(300)).toBeCloseTo(7.2 + 13.497, 10);
  });

  it('Ie,eff for G.711: Bpl 25.1 with concealment, 4.3 without (G.113 Appendix I)', () => {
    expect(codecImpairment('PCMU', true)).toEqual({ ie: 0, bpl: 25.1 });
    expect(codecImpairment('pcma', false)).toEqual({ ie: 0, bpl: 4.3 });
    expect(codecImpairment('opus', true)).toBeUndefined();
    expect(effectiveEquipmentImpairment(G711_IMPAIRMENT.withPlc, 0)).toBe(0);
    expect(effectiveEquipmentImpairment(G711_IMPAIRMENT.withPlc, 1)).toBeCloseTo(95 / 26.1, 10);
    expect(effectiveEquipmentImpairment(G711_IMPAIRMENT.withPlc, 5)).toBeCloseTo(475 / 30.1, 10);
    expect(effectiveEquipmentImpairment(G711_IMPAIRMENT.withoutPlc, 1)).toBeCloseTo(95 / 5.3, 10);
    // Loss beyond 100 % is clamped; everything lost is Ie,eff = 95·100/(100 + Bpl).
    expect(effectiveEquipmentImpairment(G711_IMPAIRMENT.withPlc, 150)).toBeCloseTo(9500 / 125.1, 10);
  });

  it('R = 93.2 − Id − Ie,eff', () => {
    expect(rFactor({ codec: G711_IMPAIRMENT.withPlc, oneWayDelayMs: 0, lossPct: 0 })).toBeCloseTo(93.2, 10);
    expect(rFactor({ codec: G711_IMPAIRMENT.withPlc, oneWayDelayMs: 150, lossPct: 1 })).toBeCloseTo(
      93.2 - 3.6 - 95 / 26.1,
      10,
    );
  });
});

describe('estimateMos (a call)', () => {
  it('a clean G.711 call with 20 ms packets and a 40 ms jitter buffer: 4.38', () => {
    // d = 0/2 + 40 + 20 = 60 ms → Id 1.44 → R 91.76.
    expect(estimateMos({ codec: 'PCMU', lossPct: 0, rttMs: null, jitterBufferMs: 40, ptimeMs: 20 })).toBe(
      4.38,
    );
  });

  it('1 % loss, 200 ms round trip: 4.23; without concealment the same loss costs much more: 3.67', () => {
    // d = 100 + 30 + 20 = 150 ms → Id 3.6; Ie,eff 3.64 (PLC) or 17.92 (none).
    expect(estimateMos({ codec: 'PCMA', lossPct: 1, rttMs: 200, jitterBufferMs: 30, ptimeMs: 20 })).toBe(
      4.23,
    );
    expect(
      estimateMos({ codec: 'PCMA', lossPct: 1, rttMs: 200, jitterBufferMs: 30, ptimeMs: 20, plc: false }),
    ).toBe(3.67);
  });

  it('a long satellite-like delay (600 ms round trip) and 5 % loss: poor', () => {
    // d = 300 + 60 + 20 = 380 ms → Id 9.12 + 22.297; Ie,eff 15.78 → R 46.00.
    expect(estimateMos({ codec: 'PCMU', lossPct: 5, rttMs: 600, jitterBufferMs: 60, ptimeMs: 20 })).toBe(
      2.37,
    );
  });

  it('G.722 is scored narrowband-equivalent: the figures and the MOS of G.711', () => {
    expect(codecImpairment('G722', true)).toEqual(G711_IMPAIRMENT.withPlc);
    expect(codecImpairment('g722', false)).toEqual(G711_IMPAIRMENT.withoutPlc);
    // The same clean call as the G.711 one above: 4.38, not more (no wideband scale in a narrowband MOS).
    expect(estimateMos({ codec: 'G722', lossPct: 0, rttMs: null, jitterBufferMs: 40, ptimeMs: 20 })).toBe(
      4.38,
    );
    expect(estimateMos({ codec: 'G722', lossPct: 1, rttMs: 200, jitterBufferMs: 30, ptimeMs: 20 })).toBe(
      4.23,
    );
  });

  it('no figures for other codecs', () => {
    expect(
      estimateMos({ codec: 'opus', lossPct: 0, rttMs: 10, jitterBufferMs: 40, ptimeMs: 20 }),
    ).toBeUndefined();
    expect(codecImpairment('G729', true)).toBeUndefined();
  });
});
