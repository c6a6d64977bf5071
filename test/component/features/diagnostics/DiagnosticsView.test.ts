import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import DiagnosticsView from '../../../../src-renderer/src/features/diagnostics/DiagnosticsView.vue';
import { useAppStore } from '../../../../src-renderer/src/stores/index.ts';
import { FAKE_APP_INFO } from '../../support/fake-bridge.ts';
import { createTestRenderer } from '../../support/renderer.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});

async function mountDiagnostics(language: 'en' | 'zh-CN' = 'en') {
  const r = createTestRenderer({ language });
  r.bridge.writeLog('info', 'phone', 'phone started');
  r.bridge.writeLog('debug', 'store', 'opened database');
  wrapper = mount(DiagnosticsView, { global: r.global });
  await useAppStore(r.pinia).load();
  await flushPromises();
  return { r, w: wrapper };
}

const field = (w: VueWrapper, id: string) => w.get(`[data-testid="app-info-${id}"]`).text();

describe('DiagnosticsView', () => {
  it('shows what app.info says', async () => {
    const { w } = await mountDiagnostics();
    expect(w.get('h1').text()).toBe('Diagnostics');
    expect(field(w, 'name')).toBe('Softphone');
    expect(field(w, 'version')).toBe(FAKE_APP_INFO.version);
    expect(field(w, 'host')).toBe('Test host');
    expect(field(w, 'platform')).toBe('linux (x64)');
    expect(field(w, 'node')).toBe(FAKE_APP_INFO.versions.node);
    expect(field(w, 'electron')).toBe('Not available');
    expect(field(w, 'chrome')).toBe('Not available');
    expect(field(w, 'v8')).toBe(FAKE_APP_INFO.versions.v8);
    expect(field(w, 'data-dir')).toBe(FAKE_APP_INFO.dataDir);
    expect(field(w, 'started-at')).toBe(
      new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' }).format(
        FAKE_APP_INFO.startedAt,
      ),
    );
    expect(w.findAll('dt').map((dt) => dt.text())).toEqual([
      'Name',
      'Version',
      'Running in',
      'Platform',
      'Node.js',
      'Electron',
      'Chromium',
      'V8',
      'Data folder',
      'Started',
    ]);
  });

  it('speaks Chinese when the UI does', async () => {
    const { w } = await mountDiagnostics('zh-CN');
    expect(w.get('h1').text()).toBe('诊断');
    expect(field(w, 'host')).toBe('测试主机');
    expect(field(w, 'electron')).toBe('不可用');
  });

  it('says why when app.info fails', async () => {
    const r = createTestRenderer();
    r.bridge.fail('app.info', { code: 'unavailable', message: 'bridge closed' });
    wrapper = mount(DiagnosticsView, { global: r.global });
    await useAppStore(r.pinia).load();
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe(
      'Could not read the application information: bridge closed',
    );
  });

  it('shows the log newest first, live, filtered, and stops streaming when it goes', async () => {
    const { r, w } = await mountDiagnostics();
    const messages = () => w.findAll('.diagnostics-log-message').map((m) => m.text());
    expect(messages()).toEqual(['opened database', 'phone started']);
    r.bridge.writeLog('warn', 'nat', 'no STUN server answered');
    await flushPromises();
    expect(messages()).toEqual(['no STUN server answered', 'opened database', 'phone started']);
    expect(w.text()).toContain('3 of 3 entries');

    await w.get('select').setValue('warn');
    expect(messages()).toEqual(['no STUN server answered']);
    expect(w.text()).toContain('1 of 3 entries');

    await w
      .findAll('button')
      .find((b) => b.text() === 'Clear view')!
      .trigger('click');
    expect(messages()).toEqual([]);
    expect(w.text()).toContain('No log entries yet.');

    expect(r.bridge.listenerCount('app.log')).toBe(1);
    expect(r.bridge.listenerCount('diagnostics.report')).toBe(1);
    expect(r.bridge.listenerCount('diagnostics.progress')).toBe(1);
    w.unmount();
    wrapper = undefined;
    expect(r.bridge.listenerCount()).toBe(0);
  });
});
