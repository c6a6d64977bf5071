/**
 * electron-builder.yml as data: installers cannot be built here (electron-builder downloads Electron and
 * its packaging tools), so this checks what the installers would be made from.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';

const root = path.resolve(import.meta.dirname, '../../..');
const config = loadYaml(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<
  string,
  unknown
>;
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;

function section(name: string): Record<string, unknown> {
  const value = config[name];
  expect(value, name).toBeTypeOf('object');
  return value as Record<string, unknown>;
}

describe('electron-builder.yml', () => {
  it('names the app', () => {
    expect(config.appId).toBe('org.softphone.desktop');
    expect(config.appId).toMatch(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)+$/);
    expect(config.productName).toBe(pkg.productName);
  });

  it('builds the installers of every desktop platform', () => {
    expect(section('linux').target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(section('win').target).toEqual(['nsis']);
    expect(section('mac').target).toEqual(['dmg']);
  });

  it('registers the call link schemes', () => {
    const protocols = config.protocols as Array<{ name: string; schemes: string[] }>;
    expect(protocols.flatMap((p) => p.schemes).sort()).toEqual(['callto', 'sip', 'sips', 'tel']);
    expect(section('linux').mimeTypes).toEqual([
      'x-scheme-handler/sip',
      'x-scheme-handler/sips',
      'x-scheme-handler/tel',
      'x-scheme-handler/callto',
    ]);
  });

  it('packs the built app into an asar, with the native SQLite module unpacked', () => {
    expect(config.asar).toBe(true);
    const files = config.files as string[];
    expect(files).toContain('out/**/*');
    expect(files).toContain('package.json');
    expect(files.some((f) => f.startsWith('!') && f.includes('.map'))).toBe(true);
    expect(config.asarUnpack).toEqual(['**/node_modules/better-sqlite3/**']);
    // the app's entry point lives inside what is packed
    expect(String(pkg.main)).toMatch(/^out\//);
  });

  it('asks macOS for the microphone with a reason', () => {
    const plist = section('mac').extendInfo as Record<string, string>;
    expect(plist.NSMicrophoneUsageDescription).toMatch(/microphone/i);
  });
});
