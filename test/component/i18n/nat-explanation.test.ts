/**
 * The NAT report's statements come from the phone (src-main/nat/explanation.ts) as i18n keys with
 * parameters. Every key the phone can produce must be in every catalogue, with placeholders the phone
 * fills — otherwise the renderer would show English (or an empty placeholder) in the middle of Chinese.
 *
 * Two cross-checks, so a new statement on the main side fails here until it is translated:
 *  - `explain()` is run over every branch (all NAT types, behaviours, notes, lifetimes, verdicts,
 *    server outcomes, SIP ALG states) and every key it produces is looked up;
 *  - the source of explanation.ts is scanned for `nat.…` keys, so a literal key in a branch this
 *    matrix does not reach is caught as well, and every template key prefix must be a catalogue branch.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, MESSAGES, createAppI18n } from '../../../src-renderer/src/i18n/index.ts';
import { natStatementText } from '../../../src-renderer/src/features/diagnostics/index.ts';
import { UNKNOWN_BEHAVIOR, explain, known, type ExplanationInput } from '../../../src-main/nat/index.ts';
import {
  NatType,
  NatVerdict,
  type NatServerResult,
  type NatStatement,
} from '../../../src-shared/model/nat.ts';

const EXPLANATION_SOURCE = path.resolve(import.meta.dirname, '../../../src-main/nat/explanation.ts');

const BASE: ExplanationInput = {
  natType: 'port-restricted-cone',
  mapping: known('endpoint-independent'),
  filtering: known('address-and-port-dependent'),
  publicAddress: { address: '203.0.113.7', port: 40000, family: 4 },
  portPreserved: true,
  hairpinning: true,
  lifetime: { measured: true, lowerBoundS: 30, upperBoundS: 60, capped: false, probes: [] },
  lifetimeCapS: 120,
  verdict: 'direct-possible',
  table: {
    open: 'yes',
    'full-cone': 'yes',
    'restricted-cone': 'yes',
    'port-restricted-cone': 'yes',
    symmetric: 'no',
  },
  policy: {
    transportPolicy: 'all',
    stunServer: 'stun:s',
    turnServer: { uri: 'turn:t', transport: 'udp' },
    turnRequired: false,
  },
  servers: [],
  discoveryServer: 'stun:s',
  notes: [],
  sipAlg: 'detected',
  nothingTested: false,
};

const TURN_OK: NatServerResult = {
  uri: 'turn:t',
  kind: 'turn',
  transport: 'tcp',
  source: 'configured',
  host: 't',
  address: { address: '192.0.2.2', port: 3478 },
  ok: true,
  rttMs: 12.3,
  mappedAddress: null,
  relayedAddress: { address: '192.0.2.2', port: 50000 },
  lifetimeS: 600,
  rfc5780: null,
  rank: 1,
  error: null,
};
const FAILED: NatServerResult = {
  ...TURN_OK,
  ok: false,
  relayedAddress: null,
  rank: null,
  error: { code: '401', message: 'Unauthorized' },
};

function variants(): ExplanationInput[] {
  const out: ExplanationInput[] = [{ ...BASE, nothingTested: true }];
  for (const natType of NatType.options) out.push({ ...BASE, natType });
  for (const behavior of [
    'endpoint-independent',
    'address-dependent',
    'address-and-port-dependent',
  ] as const) {
    for (const natType of ['port-restricted-cone', 'open'] as const) {
      out.push({ ...BASE, natType, mapping: known(behavior), filtering: known(behavior) });
    }
  }
  out.push({
    ...BASE,
    mapping: ['address-dependent', 'address-and-port-dependent'],
    filtering: UNKNOWN_BEHAVIOR,
  });
  out.push({
    ...BASE,
    notes: [
      'no-other-address',
      'change-request-ignored',
      'change-request-refused',
      'alternate-unreachable',
      'compared-two-servers',
    ],
  });
  for (const flag of [true, false, null]) out.push({ ...BASE, portPreserved: flag, hairpinning: flag });
  out.push({ ...BASE, publicAddress: null });
  for (const lifetime of [
    { measured: false as const, reason: 'response-port-unsupported' as const },
    { measured: false as const, reason: 'address-changes' as const },
    { measured: false as const, reason: 'unreachable' as const },
    { measured: true as const, lowerBoundS: 60, upperBoundS: null, capped: true, probes: [] },
    { measured: true as const, lowerBoundS: null, upperBoundS: 5, capped: false, probes: [] },
    { measured: true as const, lowerBoundS: 30, upperBoundS: 60, capped: false, probes: [] },
  ]) {
    for (const natType of ['symmetric', 'open'] as const) out.push({ ...BASE, natType, lifetime });
  }
  for (const verdict of NatVerdict.options) {
    out.push({ ...BASE, verdict });
    out.push({ ...BASE, verdict, policy: { ...BASE.policy, turnServer: null } });
    out.push({ ...BASE, verdict, policy: { ...BASE.policy, transportPolicy: 'relay' } });
  }
  out.push({ ...BASE, servers: [TURN_OK, FAILED] });
  out.push({ ...BASE, servers: [FAILED], policy: { ...BASE.policy, stunServer: null, turnServer: null } });
  for (const sipAlg of ['detected', 'not-detected', 'unknown'] as const) out.push({ ...BASE, sipAlg });
  return out;
}

const statements: NatStatement[] = variants().flatMap((input) => explain(input));
const producedKeys = [...new Set(statements.map((s) => s.key))].sort();

function lookup(tree: unknown, key: string): unknown {
  let node = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function leafKeys(tree: unknown, prefix: string): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([k, v]) => leafKeys(v, `${prefix}.${k}`));
}

const placeholders = (message: string) =>
  [...message.matchAll(/\{\s*([A-Za-z_]\w*)\s*\}/g)].map((m) => m[1] ?? '');

describe('NAT explanation keys', () => {
  it('reaches every statement the phone can make', () => {
    expect(producedKeys.length).toBeGreaterThan(40);
  });

  it.each(LANGUAGES)('%s has a message for every key the phone produces', (lang) => {
    const missing = producedKeys.filter((k) => typeof lookup(MESSAGES[lang], k) !== 'string');
    expect(missing).toEqual([]);
  });

  it('has no message for a key the phone does not produce (a stale translation)', () => {
    expect(leafKeys(MESSAGES.en.nat, 'nat').sort()).toEqual(producedKeys);
  });

  it.each(LANGUAGES)('%s only uses placeholders the phone fills', (lang) => {
    const unfilled: string[] = [];
    for (const s of statements) {
      const message = lookup(MESSAGES[lang], s.key);
      if (typeof message !== 'string') continue;
      for (const p of placeholders(message)) if (!(p in s.params)) unfilled.push(`${s.key} {${p}}`);
    }
    expect([...new Set(unfilled)]).toEqual([]);
  });

  it('finds every literal key of explanation.ts among them, and each template key is a catalogue branch', () => {
    const source = readFileSync(EXPLANATION_SOURCE, 'utf8');
    const literals = [...source.matchAll(/['"`](nat\.[A-Za-z0-9.-]+)['"`]/g)].map((m) => m[1] ?? '');
    const templates = [...source.matchAll(/`(nat\.[A-Za-z0-9.-]*)\$\{/g)].map((m) => m[1] ?? '');
    expect(literals.length).toBeGreaterThan(20);
    expect(templates.length).toBeGreaterThan(2);
    expect(literals.filter((k) => !producedKeys.includes(k))).toEqual([]);
    for (const prefix of templates) {
      const branch = lookup(MESSAGES.en, prefix.replace(/\.$/, ''));
      expect(typeof branch, prefix).toBe('object');
    }
  });

  it('renders every statement in Chinese with its values, and falls back to the English text for an unknown key', () => {
    const i18n = createAppI18n('zh-CN');
    const t = (key: string, params?: Record<string, string | number>) =>
      params ? i18n.global.t(key, params) : i18n.global.t(key);
    for (const s of statements) {
      const text = natStatementText(s, t);
      expect(text, s.key).toMatch(/\p{Script=Han}/u);
      for (const [name, value] of Object.entries(s.params)) {
        if (
          name !== 'device' &&
          name !== 'code' &&
          placeholders(String(lookup(MESSAGES['zh-CN'], s.key))).includes(name)
        ) {
          expect(text, `${s.key} {${name}}`).toContain(
            name === 'transport' ? String(value).toUpperCase() : String(value),
          );
        }
      }
    }
    const lifetime = explain({
      ...BASE,
      lifetime: { measured: true, lowerBoundS: 30, upperBoundS: 60, capped: false, probes: [] },
    }).find((s) => s.key === 'nat.lifetime.between');
    expect(lifetime && natStatementText(lifetime, t)).toBe(
      '您的路由器会在 30 到 60 秒后清除空闲的 UDP 绑定：保活消息至少每 24 秒发送一次。',
    );
    const future: NatStatement = { key: 'nat.somethingNew', params: {}, text: 'Something new in English.' };
    expect(natStatementText(future, t)).toBe('Something new in English.');
  });
});
