import { describe, expect, it } from 'vitest';
import { commands, events, COMMAND_NAMES, EVENT_NAMES } from '../../../src-shared/ipc/index.ts';

describe('IPC contract', () => {
  it('names every command and event as domain.name with a summary', () => {
    expect(COMMAND_NAMES).toEqual(Object.keys(commands));
    expect(EVENT_NAMES).toEqual(Object.keys(events));
    for (const [name, spec] of [...Object.entries(commands), ...Object.entries(events)]) {
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(spec.summary.length).toBeGreaterThan(10);
    }
  });

  it('rejects unknown fields in every object request (schemas are strict)', () => {
    for (const [name, spec] of Object.entries(commands)) {
      const probe = spec.request.safeParse({ __unexpected__: 1 });
      expect(probe.success, name).toBe(false);
    }
  });
});
