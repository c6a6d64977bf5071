import { describe, expect, it } from 'vitest';
import { commands, events, COMMAND_NAMES, EVENT_NAMES } from '../../../src-shared/ipc/index.ts';

describe('contract names for the preload', () => {
  it('lists exactly the commands and events of the contract', () => {
    expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(commands).sort());
    expect([...EVENT_NAMES].sort()).toEqual(Object.keys(events).sort());
  });

  it('gives every command and event a summary and domain.name form', () => {
    for (const [name, spec] of [...Object.entries(commands), ...Object.entries(events)]) {
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(spec.summary.length).toBeGreaterThan(10);
    }
  });
});
