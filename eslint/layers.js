// @ts-check
/**
 * The import boundaries of ARCHITECTURE.md, enforced as one ESLint rule so that a wrong-way import is a
 * lint error, not a review comment. Areas:
 *   src-shared   → only src-shared (no Node, no DOM, no `electron`)
 *   src-renderer → src-renderer and src-shared only
 *   src-main/<layer> → the layers listed for it below, src-shared, and itself
 * Only src-main/electron may import `electron`; only src-main/platform may import the socket, DNS and
 * timer modules of Node.
 */
import path from 'node:path';

/** Which src-main layers each layer may import (besides itself and src-shared). */
export const MAIN_LAYERS = {
  electron: ['*'],
  cli: ['phone', 'platform'],
  phone: ['call', 'sip', 'nat', 'store', 'media', 'sdp', 'platform'],
  call: ['sip', 'sdp', 'media', 'platform'],
  nat: ['media/transport', 'media/stun', 'sip/resolve', 'sip/syntax', 'platform'],
  'sip/ua': [
    'sip/registration',
    'sip/dialog',
    'sip/auth',
    'sip/transaction',
    'sip/transport',
    'sip/resolve',
    'sip/syntax',
    'platform',
  ],
  'sip/registration': [
    'sip/auth',
    'sip/transaction',
    'sip/transport',
    'sip/resolve',
    'sip/syntax',
    'platform',
  ],
  'sip/dialog': ['sip/transaction', 'sip/transport', 'sip/syntax', 'platform'],
  'sip/auth': ['sip/syntax'],
  'sip/transaction': ['sip/transport', 'sip/syntax', 'platform'],
  'sip/transport': ['sip/resolve', 'sip/syntax', 'media/stun', 'platform'],
  'sip/resolve': ['sip/syntax', 'platform'],
  'sip/syntax': [],
  sdp: [],
  'media/session': [
    'media/transport',
    'media/rtp',
    'media/audio',
    'media/jitter',
    'media/codec',
    'media/stun',
    'platform',
  ],
  'media/transport': ['media/stun', 'platform'],
  'media/stun': ['platform'],
  'media/rtp': ['media/codec', 'platform'],
  'media/bridge': ['media/audio', 'media/jitter', 'media/codec', 'platform'],
  'media/audio': ['media/jitter', 'media/codec', 'platform'],
  'media/jitter': ['media/codec'],
  'media/codec': [],
  store: ['platform'],
  platform: [],
};

const NODE_IO = /^(node:)?(dgram|net|tls|dns|dns\/promises)$/;

/** @param {string} rel path relative to the repo root, with forward slashes */
function areaOf(rel) {
  if (rel.startsWith('src-shared/')) return { area: 'shared' };
  if (rel.startsWith('src-renderer/')) return { area: 'renderer' };
  if (rel.startsWith('src-main/')) {
    const parts = rel.split('/').slice(1, -1);
    if (parts.length === 0) return { area: 'main', layer: '' };
    const twoLevel = `${parts[0]}/${parts[1] ?? ''}`;
    if (parts.length >= 2 && twoLevel in MAIN_LAYERS) return { area: 'main', layer: twoLevel };
    return { area: 'main', layer: parts[0] };
  }
  return { area: 'other' };
}

/** @param {string} from @param {string} to layer names */
function layerAllows(from, to) {
  if (from === to) return true;
  if (to === '') return false;
  const allowed = MAIN_LAYERS[/** @type {keyof typeof MAIN_LAYERS} */ (from)];
  if (!allowed) return false;
  return allowed.some((a) => a === '*' || a === to || to.startsWith(`${a}/`));
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the layer boundaries of ARCHITECTURE.md' },
    schema: [],
    messages: {
      layer: '{{from}} may not import {{to}} (see ARCHITECTURE.md layer table)',
      electron: 'only src-main/electron may import "electron"',
      nodeIo: 'only src-main/platform may use {{mod}}; take a port from platform instead',
      node: '{{area}} code may not import Node module {{mod}}',
      external: 'src-shared may import only zod from packages',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const me = areaOf(file);
    if (me.area === 'other') return {};

    /** @param {import('estree').Node} node @param {string} spec */
    function check(node, spec) {
      if (spec.startsWith('.')) {
        const target = path
          .relative(root, path.resolve(path.dirname(context.filename), spec))
          .split(path.sep)
          .join('/');
        const them = areaOf(target.endsWith('.ts') || target.endsWith('.vue') ? target : `${target}/x.ts`);
        const desc = them.area === 'main' ? `src-main/${them.layer}` : target;
        if (me.area === 'shared' && them.area !== 'shared')
          return context.report({ node, messageId: 'layer', data: { from: 'src-shared', to: desc } });
        if (me.area === 'renderer' && them.area !== 'renderer' && them.area !== 'shared')
          return context.report({ node, messageId: 'layer', data: { from: 'src-renderer', to: desc } });
        if (me.area === 'main') {
          if (them.area === 'renderer' || them.area === 'other')
            return context.report({
              node,
              messageId: 'layer',
              data: { from: `src-main/${me.layer}`, to: desc },
            });
          if (them.area === 'main' && !layerAllows(me.layer ?? '', them.layer ?? ''))
            return context.report({
              node,
              messageId: 'layer',
              data: { from: `src-main/${me.layer}`, to: desc },
            });
        }
        return;
      }
      if (spec === 'electron' || spec.startsWith('electron/')) {
        if (!(me.area === 'main' && me.layer === 'electron')) context.report({ node, messageId: 'electron' });
        return;
      }
      const isNode = spec.startsWith('node:');
      if (isNode && (me.area === 'shared' || me.area === 'renderer'))
        return context.report({ node, messageId: 'node', data: { area: me.area, mod: spec } });
      if (NODE_IO.test(spec) && !(me.area === 'main' && (me.layer === 'platform' || me.layer === 'electron')))
        return context.report({ node, messageId: 'nodeIo', data: { mod: spec } });
      if (me.area === 'shared' && !isNode && spec !== 'zod' && !spec.startsWith('zod/'))
        return context.report({ node, messageId: 'external' });
    }

    return {
      ImportDeclaration(node) {
        check(node, String(node.source.value));
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, String(node.source.value));
      },
      ExportAllDeclaration(node) {
        check(node, String(node.source.value));
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node, String(node.source.value));
      },
    };
  },
};

export default { rules: { layers: rule } };
