/**
 * Every message exists in every language, none is empty, placeholders match, and no message is an
 * untranslated English copy (except proper names). The `Messages` type already forces the key sets to
 * match at compile time; this checks the catalogues as shipped, and that vue-i18n can compile them.
 */
import { describe, expect, it } from 'vitest';
import { LANGUAGES, MESSAGES, createAppI18n, type Language } from '../../../src-renderer/src/i18n/index.ts';

/** Values that are the same in every language because they are names. */
const PROPER_NAMES = new Set(['Node.js', 'Electron', 'Chromium', 'V8']);

function flatten(tree: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof tree !== 'object' || tree === null) {
    out.set(prefix, tree);
    return out;
  }
  for (const [key, value] of Object.entries(tree)) {
    for (const [k, v] of flatten(value, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
  }
  return out;
}

function placeholders(message: string): string[] {
  return [...message.matchAll(/\{\s*([A-Za-z_][\w]*)\s*\}/g)].map((m) => m[1] ?? '').sort();
}

const flat = Object.fromEntries(LANGUAGES.map((lang) => [lang, flatten(MESSAGES[lang])])) as Record<
  Language,
  Map<string, unknown>
>;
const englishKeys = [...flat.en.keys()].sort();

describe('message catalogues', () => {
  it('has a reasonable number of messages', () => {
    expect(englishKeys.length).toBeGreaterThan(50);
  });

  it.each(LANGUAGES)('%s has exactly the English keys', (lang) => {
    expect([...flat[lang].keys()].sort()).toEqual(englishKeys);
  });

  it.each(LANGUAGES)('%s has a non-empty string for every key', (lang) => {
    const bad = [...flat[lang]].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s uses the same placeholders as English', (lang) => {
    const mismatched = englishKeys.filter(
      (k) => placeholders(String(flat[lang].get(k))).join() !== placeholders(String(flat.en.get(k))).join(),
    );
    expect(mismatched).toEqual([]);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s translates every message that is not a name', (lang) => {
    const copies = englishKeys.filter(
      (k) => flat[lang].get(k) === flat.en.get(k) && !PROPER_NAMES.has(String(flat.en.get(k))),
    );
    expect(copies).toEqual([]);
  });

  it('zh-CN is written in Chinese', () => {
    const withHan = [...flat['zh-CN'].values()].filter((v) => /\p{Script=Han}/u.test(String(v)));
    expect(withHan.length).toBe(
      englishKeys.length - [...flat.en.values()].filter((v) => PROPER_NAMES.has(String(v))).length,
    );
  });

  it.each(LANGUAGES)('vue-i18n renders every %s message without warnings or fallbacks', (lang) => {
    const warnings: string[] = [];
    const i18n = createAppI18n(lang);
    i18n.global.setMissingHandler((_locale, key) => {
      warnings.push(`missing ${key}`);
      return key;
    });
    for (const key of englishKeys) {
      const params = Object.fromEntries(placeholders(String(flat[lang].get(key))).map((p) => [p, `<${p}>`]));
      const text = i18n.global.t(key, params);
      if (text === key || text.trim() === '') warnings.push(`unrendered ${key}`);
      for (const p of Object.keys(params)) if (!text.includes(`<${p}>`)) warnings.push(`${key} lost {${p}}`);
    }
    expect(warnings).toEqual([]);
  });
});
