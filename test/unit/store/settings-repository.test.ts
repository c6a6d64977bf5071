import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/model/settings.ts';
import type { SettingsPatch } from '../../../src-shared/model/settings.ts';
import { SettingsRepository, openDatabase } from '../../../src-main/store/index.ts';
import type { Store } from '../../../src-main/store/index.ts';
import { makeTempDir, openTestStore } from './helpers.ts';
import type { TempDir } from './helpers.ts';

let temp: TempDir;
let store: Store;
beforeEach(() => {
  temp = makeTempDir();
  store = openTestStore(temp.path);
});
afterEach(() => {
  store.close();
  temp.remove();
});

describe('SettingsRepository', () => {
  it('starts with the defaults', () => {
    expect(store.settings.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('applies a patch field by field and keeps it across a restart', () => {
    const patched = store.settings.patch({
      app: { language: 'zh-CN', theme: 'dark' },
      nat: { iceMode: 'off' },
      shortcuts: { answer: 'CommandOrControl+Shift+A' },
      audio: { outputDeviceId: 'headset-1' },
    });
    const expected = {
      ...DEFAULT_SETTINGS,
      app: { ...DEFAULT_SETTINGS.app, language: 'zh-CN', theme: 'dark' },
      nat: { ...DEFAULT_SETTINGS.nat, iceMode: 'off' },
      shortcuts: { ...DEFAULT_SETTINGS.shortcuts, answer: 'CommandOrControl+Shift+A' },
      audio: { ...DEFAULT_SETTINGS.audio, outputDeviceId: 'headset-1' },
    };
    expect(patched).toEqual({ ok: true, value: expected });
    store.close();
    store = openTestStore(temp.path);
    expect(store.settings.get()).toEqual(expected);
  });

  it.each<[string, unknown, Array<{ path: string; message: string }>]>([
    ['an unknown group', { video: {} }, [{ path: '', message: 'Unrecognized key: "video"' }]],
    [
      'an unknown field',
      { app: { colour: 'red' } },
      [{ path: 'app', message: 'Unrecognized key: "colour"' }],
    ],
    [
      'a wrong type',
      { app: { startMinimized: 'yes' } },
      [{ path: 'app.startMinimized', message: 'Invalid input: expected boolean, received string' }],
    ],
    [
      'an unknown language',
      { app: { language: 'fr' } },
      [{ path: 'app.language', message: 'Invalid option: expected one of "system"|"en"|"zh-CN"' }],
    ],
    [
      'a reversed port range',
      { network: { rtpPorts: { min: 20000, max: 10000 } } },
      [{ path: 'network.rtpPorts.max', message: 'min must not exceed max' }],
    ],
    [
      'a codec listed twice',
      { calls: { codecOrder: ['PCMU', 'pcmu'] } },
      [{ path: 'calls.codecOrder', message: 'codec listed twice' }],
    ],
    [
      'a bad accelerator',
      { shortcuts: { hangup: 'Ctrl+<script>' } },
      [{ path: 'shortcuts.hangup', message: 'not an accelerator' }],
    ],
    [
      'an over-long device id',
      { audio: { inputDeviceId: 'x'.repeat(257) } },
      [{ path: 'audio.inputDeviceId', message: 'Too big: expected string to have <=256 characters' }],
    ],
    [
      'a keepalive out of range',
      { nat: { keepaliveIntervalSec: 3601 } },
      [{ path: 'nat.keepaliveIntervalSec', message: 'Too big: expected number to be <=3600' }],
    ],
  ])('refuses %s as a value and writes nothing', (_what, patch, issues) => {
    expect(store.settings.patch(patch as SettingsPatch)).toEqual({
      ok: false,
      error: { code: 'invalid', issues },
    });
    expect(store.settings.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('reads stored groups forgivingly: bad or missing fields take defaults, unknown fields are dropped', () => {
    store.close();
    const opened = openDatabase(join(temp.path, 'softphone.sqlite'));
    if (!opened.ok) throw new Error('open');
    const db = opened.value.db;
    const put = db.prepare('INSERT OR REPLACE INTO settings (group_name, value) VALUES (?, ?)');
    put.run('nat', JSON.stringify({ iceMode: 'sometimes', keepaliveIntervalSec: 40, removedLongAgo: true }));
    put.run('network', JSON.stringify({ sipPorts: { min: 6000, max: 6010 }, rtpPorts: { min: 9, max: 1 } }));
    put.run('app', '[1, 2]');
    put.run('obsolete-group', '{}');
    const settings = new SettingsRepository(db).get();
    expect(settings.nat).toEqual({ ...DEFAULT_SETTINGS.nat, keepaliveIntervalSec: 40 });
    expect(settings.network).toEqual({
      sipPorts: { min: 6000, max: 6010 },
      rtpPorts: DEFAULT_SETTINGS.network.rtpPorts,
    });
    expect(settings.app).toEqual(DEFAULT_SETTINGS.app);
    db.close();
    store = openTestStore(temp.path);
  });

  it('resets one group or everything', () => {
    store.settings.patch({ app: { theme: 'light' }, nat: { iceMode: 'on' } });
    expect(store.settings.reset('app')).toEqual({
      ...DEFAULT_SETTINGS,
      nat: { ...DEFAULT_SETTINGS.nat, iceMode: 'on' },
    });
    expect(store.settings.reset()).toEqual(DEFAULT_SETTINGS);
  });
});
