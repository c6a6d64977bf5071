import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../../src-main/platform/index.ts';
import {
  minimumWindowSize,
  parseWindowState,
  restoredBounds,
  SAVE_DEBOUNCE_MS,
  serializeWindowState,
  textFileAt,
  WindowStateKeeper,
  type DisplayArea,
  type Rect,
  type SavedWindowState,
  type TextFile,
} from '../../../src-main/electron/window-state.ts';

const primary: DisplayArea = { workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
const right: DisplayArea = { workArea: { x: 1920, y: -200, width: 1280, height: 984 } };

function saved(x: number, y: number, width = 420, height = 720, maximized = false): SavedWindowState {
  return { version: 1, x, y, width, height, maximized };
}

describe('restoredBounds', () => {
  it('uses the minimum size of the window options', () => {
    expect(minimumWindowSize()).toEqual({ width: 360, height: 560 });
  });

  it('centres the default size on the primary display when nothing was saved', () => {
    expect(restoredBounds(undefined, [primary], primary)).toEqual({
      x: 750,
      y: 160,
      width: 420,
      height: 720,
      maximized: false,
    });
  });

  it('keeps bounds that are on a display', () => {
    expect(restoredBounds(saved(100, 50), [primary, right], primary)).toEqual({
      x: 100,
      y: 50,
      width: 420,
      height: 720,
      maximized: false,
    });
    expect(restoredBounds(saved(2000, -100, 500, 800, true), [primary, right], primary)).toEqual({
      x: 2000,
      y: -100,
      width: 500,
      height: 800,
      maximized: true,
    });
  });

  it.each([
    ['far right of every display', saved(5000, 100)],
    ['on a monitor that was unplugged', saved(2000, -100)],
    ['above the top edge (title bar unreachable)', saved(100, -400)],
    ['only 20 px of title bar showing', saved(1900, 100)],
    ['at the bottom, title bar below the work area', saved(100, 1030)],
  ])('off-screen (%s) → centred on the primary display', (_what, s) => {
    expect(restoredBounds(s, [primary], primary)).toEqual({
      x: 750,
      y: 160,
      width: 420,
      height: 720,
      maximized: false,
    });
  });

  it('pulls a partly visible window fully onto its display', () => {
    expect(restoredBounds(saved(1700, 600), [primary], primary)).toEqual({
      x: 1500,
      y: 320,
      width: 420,
      height: 720,
      maximized: false,
    });
    expect(restoredBounds(saved(-300, 10), [primary], primary)).toEqual({
      x: 0,
      y: 10,
      width: 420,
      height: 720,
      maximized: false,
    });
  });

  it('shrinks to the work area and respects the minimum size', () => {
    const small: DisplayArea = { workArea: { x: 0, y: 0, width: 1024, height: 600 } };
    expect(restoredBounds(saved(0, 0, 3000, 2000), [small], small)).toEqual({
      x: 0,
      y: 0,
      width: 1024,
      height: 600,
      maximized: false,
    });
    expect(restoredBounds(saved(10, 10, 100, 100), [primary], primary)).toEqual({
      x: 10,
      y: 10,
      width: 360,
      height: 560,
      maximized: false,
    });
    expect(restoredBounds(saved(9000, 0, 3000, 2000), [primary], primary)).toEqual({
      x: 0,
      y: 0,
      width: 1920,
      height: 1040,
      maximized: false,
    });
  });
});

describe('window-state.json', () => {
  it('round-trips and ignores anything damaged or foreign', () => {
    const text = serializeWindowState({ x: 10.4, y: -20.6, width: 420, height: 720 }, true);
    expect(text).toBe('{"version":1,"x":10,"y":-21,"width":420,"height":720,"maximized":true}\n');
    expect(parseWindowState(text)).toEqual(saved(10, -21, 420, 720, true));
    expect(parseWindowState(undefined)).toBeUndefined();
    expect(parseWindowState('{not json')).toBeUndefined();
    expect(
      parseWindowState('{"version":2,"x":0,"y":0,"width":1,"height":1,"maximized":false}'),
    ).toBeUndefined();
    expect(
      parseWindowState('{"version":1,"x":0,"y":0,"width":0,"height":1,"maximized":false}'),
    ).toBeUndefined();
    expect(
      parseWindowState('{"version":1,"x":1e9,"y":0,"width":10,"height":1,"maximized":false}'),
    ).toBeUndefined();
    expect(
      parseWindowState('{"version":1,"x":0,"y":0,"width":10,"height":1,"maximized":false,"extra":1}'),
    ).toBeUndefined();
  });

  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('is read and written in the user data folder', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sp-winstate-'));
    const file = textFileAt(path.join(dir, 'sub', 'window-state.json'));
    expect(file.read()).toBeUndefined();
    file.write('abc');
    expect(file.read()).toBe('abc');
    expect(existsSync(path.join(dir, 'sub', 'window-state.json.tmp'))).toBe(false);
    writeFileSync(path.join(dir, 'sub', 'window-state.json'), 'def');
    expect(file.read()).toBe('def');
  });
});

class FakeWindow extends EventEmitter {
  bounds: Rect = { x: 100, y: 100, width: 420, height: 720 };
  maximized = false;
  destroyed = false;
  getNormalBounds = () => ({ ...this.bounds });
  isMaximized = () => this.maximized;
  isDestroyed = () => this.destroyed;
}

function memoryFile(initial?: string): TextFile & { writes: string[] } {
  let content = initial;
  const writes: string[] = [];
  return {
    writes,
    read: () => content,
    write: (t) => {
      writes.push(t);
      content = t;
    },
  };
}

describe('WindowStateKeeper', () => {
  function setup(initial?: string) {
    const clock = new FakeClock();
    const file = memoryFile(initial);
    const errors: Error[] = [];
    const keeper = new WindowStateKeeper({ clock, file, onError: (e) => errors.push(e) });
    const window = new FakeWindow();
    return { clock, file, errors, keeper, window };
  }

  it('saves once, 500 ms after the last move or resize', () => {
    const { clock, file, keeper, window } = setup();
    expect(keeper.read()).toBeUndefined();
    keeper.track(window);
    window.bounds = { x: 150, y: 100, width: 420, height: 720 };
    window.emit('move');
    clock.advance(300);
    window.bounds = { x: 200, y: 120, width: 500, height: 720 };
    window.emit('resize');
    clock.advance(SAVE_DEBOUNCE_MS - 1);
    expect(file.writes).toEqual([]);
    clock.advance(1);
    expect(file.writes).toEqual([
      '{"version":1,"x":200,"y":120,"width":500,"height":720,"maximized":false}\n',
    ]);
    expect(clock.pendingTimers()).toBe(0);
    keeper.dispose();
  });

  it('saves the normal bounds and the maximized flag, and flushes on close', () => {
    const { clock, file, keeper, window } = setup();
    keeper.track(window);
    window.maximized = true;
    window.emit('maximize');
    window.emit('close');
    expect(file.writes).toEqual([
      '{"version":1,"x":100,"y":100,"width":420,"height":720,"maximized":true}\n',
    ]);
    clock.advance(SAVE_DEBOUNCE_MS); // the pending save was flushed, not repeated
    expect(file.writes).toHaveLength(1);
    window.emit('unmaximize');
    window.maximized = false;
    clock.advance(SAVE_DEBOUNCE_MS);
    expect(parseWindowState(file.writes[1])).toEqual(saved(100, 100, 420, 720, false));
    keeper.dispose();
  });

  it('does not rewrite an unchanged state', () => {
    const { clock, file, keeper, window } = setup(
      '{"version":1,"x":100,"y":100,"width":420,"height":720,"maximized":false}\n',
    );
    expect(keeper.read()).toEqual(saved(100, 100));
    keeper.track(window);
    window.emit('move');
    clock.advance(SAVE_DEBOUNCE_MS);
    expect(file.writes).toEqual([]);
    keeper.dispose();
  });

  it('reports write failures instead of throwing', () => {
    const { clock, errors, keeper, window } = setup();
    keeper.track(window);
    const failing = new WindowStateKeeper({
      clock,
      file: {
        read: () => undefined,
        write: () => {
          throw new Error('EROFS');
        },
      },
      onError: (e) => errors.push(e),
    });
    failing.track(window);
    window.emit('close');
    expect(errors.map((e) => e.message)).toEqual(['EROFS']);
    failing.dispose();
    keeper.dispose();
  });

  it('leaves no timer and no listener after dispose; a destroyed window is not read', () => {
    const { clock, file, keeper, window } = setup();
    keeper.track(window);
    window.emit('resize');
    expect(clock.pendingTimers()).toBe(1);
    keeper.dispose();
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(10 * SAVE_DEBOUNCE_MS);
    expect(file.writes).toEqual([]);
    expect(window.eventNames()).toEqual([]);
    const again = new WindowStateKeeper({ clock, file, onError: () => {} });
    again.track(window);
    window.destroyed = true;
    again.flush();
    expect(file.writes).toEqual([]);
    again.dispose();
    expect(window.eventNames()).toEqual([]);
  });
});
