/**
 * The phone and its store: settings persisted through the store, the store closed with the phone,
 * the call-log repair logged at start, and a phone without a store (unit tests, hosts without a data
 * folder) answering `unavailable` for what needs one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src-shared/ipc/index.ts';
import { DEFAULT_SETTINGS } from '../../../src-shared/model/settings.ts';
import { LOCK_FILE_NAME } from '../../../src-main/store/index.ts';
import { makeTempDir, openTestStore, type TempDir } from '../store/helpers.ts';
import { SeededRandom } from '../../support/random.ts';
import { TEST_START, phoneOn } from './support/store-phone.ts';

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir('softphone-phone-');
});
afterEach(() => temp.remove());

const STORAGE_COMMANDS = COMMAND_NAMES.filter((n) => n.startsWith('contacts.') || n.startsWith('history.'));

/** A valid request for each storage command (so that the answer comes from the handler, not the gate). */
const VALID_REQUESTS: Record<string, unknown> = {
  'contacts.list': {},
  'contacts.get': { id: 'x' },
  'contacts.add': { name: 'A', company: '', notes: '', favourite: false, addresses: [] },
  'contacts.update': {
    id: 'x',
    contact: { name: 'A', company: '', notes: '', favourite: false, addresses: [] },
  },
  'contacts.remove': { id: 'x' },
  'contacts.importVCard': { text: 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n' },
  'contacts.exportVCard': { version: '3.0' },
  'history.page': {},
  'history.markSeen': {},
  'history.remove': { id: 'x' },
  'history.clear': {},
  'history.exportCsv': {},
  'history.missedCount': {},
};

describe('Phone with a store', () => {
  it('keeps settings in the store: set, announced, and still there in the next phone', async () => {
    const first = phoneOn(openTestStore(temp.path));
    expect(await first.call('settings.get', {})).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.app.language).toBe('system');
    const next = await first.call('settings.set', {
      app: { language: 'zh-CN', theme: 'dark' },
      nat: { keepaliveIntervalSec: 15 },
    });
    expect(next.app).toEqual({ ...DEFAULT_SETTINGS.app, language: 'zh-CN', theme: 'dark' });
    expect(first.eventsNamed('settings.changed')).toEqual([next]);
    expect(
      await first.dispatch('settings.set', { network: { rtpPorts: { min: 30000, max: 20000 } } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    await first.phone.close();

    const second = phoneOn(openTestStore(temp.path));
    expect(await second.call('settings.get', {})).toEqual(next);
    await second.phone.close();
    expect(first.internal).toEqual([]);
  });

  it('reads a language stored by earlier versions ("en") as "en", and a missing one as "system"', async () => {
    const store = openTestStore(temp.path);
    const written = store.settings.patch({ app: { language: 'en' } });
    expect(written.ok).toBe(true);
    const phone = phoneOn(store);
    expect((await phone.call('settings.get', {})).app.language).toBe('en');
    await phone.call('settings.set', { app: { language: 'system' } });
    expect((await phone.call('settings.get', {})).app.language).toBe('system');
    await phone.phone.close();
  });

  it('closes the store with the phone (lock released); commands then answer unavailable', async () => {
    const store = openTestStore(temp.path);
    const t = phoneOn(store);
    await t.call('contacts.add', { name: 'A', company: '', notes: '', favourite: false, addresses: [] });
    await t.phone.close();
    expect(store.open).toBe(false);
    expect(existsSync(join(temp.path, LOCK_FILE_NAME))).toBe(false);
    for (const name of STORAGE_COMMANDS) {
      expect(await t.dispatch(name, VALID_REQUESTS[name]), name).toEqual({
        ok: false,
        error: { code: 'unavailable', message: 'The phone is shutting down.' },
      });
    }
    await t.phone.close(); // twice is harmless
  });

  it('logs at start how many unfinished calls of the previous run the store repaired', async () => {
    const crashed = openTestStore(temp.path);
    crashed.history.recordStart({
      id: 'c1',
      direction: 'incoming',
      accountId: null,
      remoteUri: 'sip:1@x',
      startedAt: TEST_START - 5000,
    });
    crashed.history.recordStart({
      id: 'c2',
      direction: 'outgoing',
      accountId: null,
      remoteUri: 'sip:2@x',
      startedAt: TEST_START - 4000,
    });
    crashed.close(); // as after a crash: the rows were never completed

    const t = phoneOn(openTestStore(temp.path));
    const logged = (await t.call('app.logHistory', {})).filter((e) => e.scope === 'history');
    expect(logged.map((e) => [e.level, e.message])).toEqual([
      [
        'warn',
        'call log opened; 2 call(s) left unfinished by the previous run marked failed ("app closed during call")',
      ],
    ]);
    const page = await t.call('history.page', {});
    expect(page.entries.map((e) => [e.id, e.result, e.completion, e.reason])).toEqual([
      ['c2', 'failed', 'ended-unknown', 'app closed during call'],
      ['c1', 'failed', 'ended-unknown', 'app closed during call'],
    ]);
    await t.phone.close();

    const clean = phoneOn(openTestStore(temp.path));
    expect(
      (await clean.call('app.logHistory', {}))
        .filter((e) => e.scope === 'history')
        .map((e) => [e.level, e.message]),
    ).toEqual([
      [
        'info',
        'call log opened; 0 call(s) left unfinished by the previous run marked failed ("app closed during call")',
      ],
    ]);
    await clean.phone.close();
  });
});

describe('Phone without a store', () => {
  it('keeps settings in memory and answers unavailable for contacts and history', async () => {
    const t = phoneOn(null);
    expect(await t.call('settings.set', { app: { theme: 'light' } })).toMatchObject({
      app: { theme: 'light' },
    });
    expect(STORAGE_COMMANDS).toHaveLength(13);
    for (const name of STORAGE_COMMANDS) {
      const what = name.startsWith('contacts.') ? 'Contacts' : 'The call log';
      expect(await t.dispatch(name, VALID_REQUESTS[name]), name).toEqual({
        ok: false,
        error: {
          code: 'unavailable',
          message: `${what} cannot be used: this phone runs without a data folder.`,
        },
      });
    }
    expect(t.phone.log.recent(10).filter((e) => e.scope === 'history')).toEqual([]);
    expect(t.internal).toEqual([]);
    await t.phone.close();
  });
});

const HOSTILE = [
  '',
  '__proto__',
  'constructor',
  "'; DROP TABLE contacts; --",
  '%',
  '_%\\',
  '"NEAR(',
  '*',
  '\u0000',
  '\ud800',
  '../../etc/passwd',
  'BEGIN:VCARD\r\nVERSION:9.9\r\nEND:VCARD',
  'x'.repeat(5000),
  '🙂'.repeat(300),
  -1,
  0,
  1.5,
  2 ** 53,
  Number.NaN,
  null,
  true,
  [],
  {},
  { __proto__: { admin: true } },
];

/** A valid request with one field (possibly nested) replaced by something hostile, or dropped, or added. */
function mutate(rng: SeededRandom, value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 3 || rng.chance(0.3)) return rng.pick(HOSTILE);
  const copy: Record<string, unknown> = Array.isArray(value)
    ? ({ ...value } as Record<string, unknown>)
    : { ...value };
  const keys = Object.keys(copy);
  const roll = rng.int(10);
  if (roll === 0 || keys.length === 0)
    copy[rng.pick(['extra', '__proto__', 'id', 'text', 'limit'])] = rng.pick(HOSTILE);
  else if (roll === 1) delete copy[rng.pick(keys)];
  else {
    const key = rng.pick(keys);
    copy[key] = mutate(rng, copy[key], depth + 1);
  }
  return Array.isArray(value) ? Object.values(copy) : copy;
}

describe('hostile payloads against a real store', () => {
  it('answers 3,000 mutated contacts/history requests with values or typed errors, and the store stays sound', async () => {
    const t = phoneOn(openTestStore(temp.path));
    const contact = await t.call('contacts.add', {
      name: 'Anna',
      company: '',
      notes: '',
      favourite: true,
      addresses: [{ kind: 'tel', value: '+49 30 1', label: '' }],
    });
    t.phone.callHistory.callStarted({
      id: 'c1',
      direction: 'incoming',
      accountId: null,
      remoteUri: 'tel:+49301',
      remoteDisplayName: 'Anna',
      startedAt: TEST_START,
      answeredAt: null,
      endedAt: null,
      result: null,
      sipCode: null,
      reason: null,
      codec: null,
      mediaPath: 'unknown',
      encryption: 'none',
    });
    const rng = new SeededRandom(20250301);
    const requests: Record<string, unknown> = {
      ...VALID_REQUESTS,
      'contacts.get': { id: contact.id },
      'history.remove': { id: 'c1' },
    };
    const codes = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const name = rng.pick(
        STORAGE_COMMANDS.filter(
          (n) => n !== 'history.clear' && n !== 'history.remove' && n !== 'contacts.remove',
        ),
      );
      const payload = mutate(rng, requests[name]);
      const result = await t.dispatch(name, payload);
      const key = result.ok ? 'ok' : result.error.code;
      codes.set(key, (codes.get(key) ?? 0) + 1);
      if (!result.ok) expect(['invalid-request', 'not-found']).toContain(result.error.code);
    }
    expect(t.internal).toEqual([]);
    expect(codes.get('ok')).toBeGreaterThan(100);
    expect(codes.get('invalid-request')).toBeGreaterThan(1000);
    // What was there is still there and readable.
    expect(await t.call('contacts.get', { id: contact.id })).toMatchObject({ name: 'Anna' });
    expect((await t.call('history.page', {})).entries.map((e) => e.id)).toEqual(['c1']);
    await t.phone.close();
  });
});
