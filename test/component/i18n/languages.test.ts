import { describe, expect, it } from 'vitest';
import {
  effectiveLanguage,
  formatLogTime,
  languageFromPreferences,
} from '../../../src-renderer/src/i18n/index.ts';

describe('languageFromPreferences', () => {
  it.each([
    [['zh-CN', 'en-US'], 'zh-CN'],
    [['zh'], 'zh-CN'],
    [['zh-Hans-SG'], 'zh-CN'],
    [['zh_TW'], 'zh-CN'],
    [['en-GB', 'zh-CN'], 'en'],
    [['de-DE', 'fr', 'zh-CN'], 'zh-CN'],
    [['de-DE', 'fr'], 'en'],
    [[], 'en'],
  ] as const)('%j → %s', (preferred, expected) => {
    expect(languageFromPreferences(preferred)).toBe(expected);
  });
});

describe('effectiveLanguage', () => {
  it('is the setting when it names a language, the OS preference when it is `system` or not known yet', () => {
    expect(effectiveLanguage('en', ['zh-CN'])).toBe('en');
    expect(effectiveLanguage('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(effectiveLanguage('system', ['zh-CN', 'en-US'])).toBe('zh-CN');
    expect(effectiveLanguage('system', ['en-GB'])).toBe('en');
    expect(effectiveLanguage('system', ['pt-BR'])).toBe('en');
    expect(effectiveLanguage(null, ['zh-CN'])).toBe('zh-CN');
    expect(effectiveLanguage(null, ['pt-BR'])).toBe('en');
  });
});

describe('formatLogTime', () => {
  it('shows a 24-hour time with milliseconds', () => {
    const at = new Date(2025, 0, 2, 15, 4, 5, 67).getTime();
    expect(formatLogTime(at, 'en')).toBe('15:04:05.067');
  });
});
