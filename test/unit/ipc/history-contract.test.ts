/**
 * The `history.*` contract carries each call's encryption: `srtp`, `none`, or `unknown` for calls
 * logged before the phone recorded it; nothing else, and never missing.
 */
import { describe, expect, it } from 'vitest';
import { commands, events } from '../../../src-shared/ipc/index.ts';
import type { HistoryEntry } from '../../../src-shared/model/history.ts';

const ENTRY: HistoryEntry = {
  id: 'call-1',
  direction: 'outgoing',
  accountId: null,
  remoteUri: 'sip:1000@pbx.example',
  remoteDisplayName: '',
  startedAt: 1_000,
  answeredAt: 2_000,
  endedAt: 62_000,
  durationMs: 60_000,
  result: 'answered',
  completion: 'completed',
  sipCode: null,
  reason: null,
  codec: 'PCMU',
  mediaPath: 'direct',
  encryption: 'srtp',
  mos: 4.2,
  seen: true,
  contact: null,
};

const page = (entry: unknown) =>
  commands['history.page'].response.safeParse({ entries: [entry], nextCursor: null });
const changed = (entry: unknown) =>
  events['history.changed'].payload.safeParse({
    reason: 'call-ended',
    ids: ['call-1'],
    entry,
    missedUnseen: 0,
  });

describe('history contract: encryption', () => {
  it('accepts srtp, none and unknown in pages and in history.changed', () => {
    for (const encryption of ['srtp', 'none', 'unknown'] as const) {
      const entry = { ...ENTRY, encryption };
      const parsed = page(entry);
      expect(parsed.success && parsed.data.entries[0]?.encryption).toBe(encryption);
      const event = changed(entry);
      expect(event.success && event.data.entry?.encryption).toBe(encryption);
    }
  });

  it('refuses other values and an entry without it', () => {
    for (const encryption of ['dtls', 'SRTP', '', null, 1]) {
      expect(page({ ...ENTRY, encryption }).success, String(encryption)).toBe(false);
      expect(changed({ ...ENTRY, encryption }).success, String(encryption)).toBe(false);
    }
    const { encryption: _omitted, ...without } = ENTRY;
    const missing = page(without);
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['entries.0.encryption']);
    expect(changed(without).success).toBe(false);
  });
});
