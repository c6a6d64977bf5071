/**
 * Vite config of the renderer, used by `npm run build:renderer` (the e2e tests serve its output) and by
 * electron-vite (electron.vite.config.ts spreads it into its `renderer` section).
 *
 * Everything it emits must load under the window's CSP (src-main/electron/security.ts): scripts and styles
 * as files from our own origin, no inline script (hence no module-preload polyfill), no inlined assets.
 * No Node imports here: the layer rule keeps src-renderer free of them, and Vite gives us
 * `import.meta.dirname`.
 */
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';

/**
 * The dev server injects component styles as `<style>` elements, which `style-src 'self'` refuses. Only
 * while serving, allow inline styles in the page's CSP; production builds keep the strict policy.
 */
function relaxStyleSrcWhileServing(): Plugin {
  return {
    name: 'softphone:relax-style-src-while-serving',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [vue(), relaxStyleSrcWhileServing()],
  define: {
    // vue-i18n's compile-time feature flags: Composition API only, message compiler kept (it interprets
    // messages without eval), no devtools hooks in production.
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    // <repo>/out/renderer, absolute: electron-vite resolves a relative outDir against the repo root, not
    // against `root`, which put the bundle outside the checkout
    outDir: `${import.meta.dirname}/../out/renderer`,
    emptyOutDir: true,
    // the polyfill is an inline script, which the CSP forbids; Chromium supports modulepreload natively
    modulePreload: { polyfill: false },
    // never turn assets into data: URLs (fonts and media may not use them under the CSP)
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: true,
    reportCompressedSize: false,
  },
});
