import { afterEach, describe, expect, it } from 'vitest';
import { lifetimeDelays, measureBindingLifetime } from '../../../src-main/nat/index.ts';
import type { LifetimeResult } from '../../../src-main/nat/index.ts';
import { PRIMARY, createLab } from './support/nat-lab.ts';
import type { Lab, LabOptions } from './support/nat-lab.ts';

let lab: Lab | undefined;
let durationMs = 0;

afterEach(() => {
  lab?.close();
  lab = undefined;
});

async function measure(options: LabOptions, maxS: number): Promise<LifetimeResult> {
  lab = await createLab(options);
  const started = lab.clock.monotonic();
  const result = await lab.settle(measureBindingLifetime(lab.ctx, { server: PRIMARY, maxS }));
  durationMs = lab.clock.monotonic() - started;
  return result;
}

describe('binding lifetime (RFC 5780 §4.6, parallel probes)', () => {
  it('probes 5, 10, 15, 20, 30, 45 and the cap', () => {
    expect(lifetimeDelays(60)).toEqual([5, 10, 15, 20, 30, 45, 60]);
    expect(lifetimeDelays(25)).toEqual([5, 10, 15, 20, 25]);
    expect(lifetimeDelays(7, [2, 4, 8])).toEqual([2, 4, 7]);
    expect(() => lifetimeDelays(0)).toThrow(RangeError);
  });

  it('brackets a 25 s binding between 20 and 30 s and stops at the first dead probe', async () => {
    const r = await measure({ nat: { bindingLifetimeMs: 25_000 } }, 60);
    expect(r).toEqual({
      measured: true,
      lowerBoundS: 20,
      upperBoundS: 30,
      capped: false,
      probes: [
        { delayS: 5, alive: true },
        { delayS: 10, alive: true },
        { delayS: 15, alive: true },
        { delayS: 20, alive: true },
        { delayS: 30, alive: false },
      ],
    });
    // The dead probe waits for its transaction timeout (1.5 s, paced by the round trip); the rest ran in
    // parallel from t0.
    expect(durationMs).toBe(31_500);
  });

  it('sends each probe at its delay after t0, from one prober socket, answered to the probed port', async () => {
    await measure({ nat: { bindingLifetimeMs: 25_000 } }, 60);
    const probes = (lab?.records ?? []).filter(
      (r) => r.test === 'lifetime-probe' && r.detail?.startsWith('RESPONSE-PORT'),
    );
    expect(probes.map((r) => r.atMs)).toEqual([5_000, 10_000, 15_000, 20_000, 30_000]);
    expect(new Set(probes.map((r) => r.local?.port)).size).toBe(1);
    expect(probes.map((r) => r.outcome)).toEqual(['success', 'success', 'success', 'success', 'timeout']);
    const check = (lab?.records ?? []).find((r) => r.test === 'lifetime-response-port');
    expect(check).toMatchObject({ atMs: 0, outcome: 'success' });
  });

  it('stops at the cap and says so when the binding outlives it', async () => {
    const r = await measure({ nat: { bindingLifetimeMs: 120_000 } }, 60);
    expect(r).toMatchObject({ measured: true, lowerBoundS: 60, upperBoundS: null, capped: true });
    expect(durationMs).toBe(60_000);
  });

  it('reports a lifetime shorter than the first probe', async () => {
    const r = await measure({ nat: { bindingLifetimeMs: 3_000 } }, 60);
    expect(r).toEqual({
      measured: true,
      lowerBoundS: null,
      upperBoundS: 5,
      capped: false,
      probes: [{ delayS: 5, alive: false }],
    });
  });

  it('measures a firewall-less public host too (its bindings never expire)', async () => {
    const r = await measure({}, 10);
    expect(r).toMatchObject({ measured: true, lowerBoundS: 10, capped: true });
  });

  it('gives up cleanly when the server does not do RESPONSE-PORT', async () => {
    const r = await measure({ nat: {}, server: { responsePort: false } }, 60);
    expect(r).toEqual({ measured: false, reason: 'response-port-unsupported' });
    expect(durationMs).toBe(0);
  });

  it('gives up when UDP does not get through', async () => {
    lab = await createLab({ nat: {} });
    lab.net.dropWhere((p) => p.protocol === 'udp');
    const r = await lab.settle(measureBindingLifetime(lab.ctx, { server: PRIMARY, maxS: 30 }));
    expect(r).toEqual({ measured: false, reason: 'unreachable' });
  });

  it('stops when cancelled, leaving no timer behind', async () => {
    lab = await createLab({ nat: {} });
    const controller = new AbortController();
    lab.ctx.signal = controller.signal;
    const pending = measureBindingLifetime(lab.ctx, { server: PRIMARY, maxS: 60 });
    lab.clock.advance(0);
    for (let i = 0; i < 30; i++) await Promise.resolve();
    lab.clock.advance(7_000);
    for (let i = 0; i < 30; i++) await Promise.resolve();
    controller.abort();
    const r = await lab.settle(pending);
    expect(r).toEqual({ measured: false, reason: 'cancelled' });
    expect(lab.clock.monotonic()).toBe(7_000);
  });
});
