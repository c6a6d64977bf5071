import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { dataDirFor, defaultDataDir } from '../../../src-main/platform/index.ts';

describe('dataDirFor', () => {
  it('Linux: $XDG_CONFIG_HOME/<app> when set to an absolute path', () => {
    expect(
      dataDirFor('Softphone', {
        platform: 'linux',
        env: { XDG_CONFIG_HOME: '/home/ann/.cfg' },
        homedir: '/home/ann',
      }),
    ).toBe('/home/ann/.cfg/Softphone');
  });

  it('Linux: ~/.config/<app> when XDG_CONFIG_HOME is unset, empty or relative', () => {
    for (const env of [{}, { XDG_CONFIG_HOME: '' }, { XDG_CONFIG_HOME: 'relative/dir' }]) {
      expect(dataDirFor('Softphone', { platform: 'linux', env, homedir: '/home/ann' })).toBe(
        '/home/ann/.config/Softphone',
      );
    }
  });

  it('other Unixes follow the XDG rules too', () => {
    expect(dataDirFor('Softphone', { platform: 'freebsd', env: {}, homedir: '/usr/home/bo' })).toBe(
      '/usr/home/bo/.config/Softphone',
    );
  });

  it('macOS: ~/Library/Application Support/<app>, whatever XDG says', () => {
    expect(
      dataDirFor('Softphone', {
        platform: 'darwin',
        env: { XDG_CONFIG_HOME: '/tmp/x' },
        homedir: '/Users/ann',
      }),
    ).toBe('/Users/ann/Library/Application Support/Softphone');
  });

  it('Windows: %APPDATA%\\<app>, else <home>\\AppData\\Roaming\\<app>', () => {
    expect(
      dataDirFor('Softphone', {
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\Ann\\AppData\\Roaming' },
        homedir: 'C:\\Users\\Ann',
      }),
    ).toBe('C:\\Users\\Ann\\AppData\\Roaming\\Softphone');
    expect(dataDirFor('Softphone', { platform: 'win32', env: {}, homedir: 'C:\\Users\\Ann' })).toBe(
      'C:\\Users\\Ann\\AppData\\Roaming\\Softphone',
    );
    expect(dataDirFor('Softphone', { platform: 'win32', env: { APPDATA: '' }, homedir: 'D:\\home' })).toBe(
      'D:\\home\\AppData\\Roaming\\Softphone',
    );
  });

  it('rejects names that would escape the folder', () => {
    const env = { platform: 'linux', env: {}, homedir: '/home/ann' };
    expect(() => dataDirFor('', env)).toThrow();
    expect(() => dataDirFor('../evil', env)).toThrow();
    expect(() => dataDirFor('a\\b', env)).toThrow();
  });
});

describe('defaultDataDir', () => {
  it('uses this process’s platform, environment and home folder', () => {
    expect(defaultDataDir('Softphone')).toBe(
      dataDirFor('Softphone', { platform: process.platform, env: process.env, homedir: homedir() }),
    );
  });
});
