import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileDate, saveTextFile } from '../../../src-renderer/src/ui/index.ts';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('saveTextFile', () => {
  it('downloads through a temporary <a download> on an object URL, revoked later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const blobs: Blob[] = [];
    const revoked: string[] = [];
    URL.createObjectURL = (blob: Blob) => {
      blobs.push(blob);
      return 'blob:http://127.0.0.1/abc';
    };
    URL.revokeObjectURL = (url: string) => void revoked.push(url);
    const clicks: Array<{ href: string; download: string; hidden: boolean; attached: boolean }> = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({
        href: this.href,
        download: this.download,
        hidden: this.hidden === true,
        attached: this.isConnected,
      });
    });
    saveTextFile({ name: 'calls.csv', text: 'a,b\r\n', type: 'text/csv;charset=utf-8', byteOrderMark: true });
    expect(clicks).toEqual([
      { href: 'blob:http://127.0.0.1/abc', download: 'calls.csv', hidden: true, attached: true },
    ]);
    expect(document.querySelector('a[download]')).toBeNull();
    expect(blobs[0]?.type).toBe('text/csv;charset=utf-8');
    expect(new Uint8Array(await blobs[0]!.arrayBuffer()).slice(0, 3)).toEqual(
      new Uint8Array([0xef, 0xbb, 0xbf]),
    );
    expect(revoked).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(revoked).toEqual(['blob:http://127.0.0.1/abc']);
  });

  it('names files by the local date', () => {
    expect(fileDate(new Date(2025, 0, 5, 23, 59).getTime())).toBe('2025-01-05');
  });
});
