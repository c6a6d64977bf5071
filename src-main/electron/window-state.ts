/**
 * The window's size, position and maximized flag, remembered in `window-state.json` in the user data
 * folder and restored on start — clamped to the displays that exist now, so that a window last seen on a
 * monitor that has since been unplugged never opens off-screen.
 *
 * Clamping: the window stays on the display it was on when its title bar (its top 32 px) is on that
 * display's work area at least 64 px wide; it is then shrunk to fit the work area if needed and pushed
 * inside it. Otherwise it is centred on the primary display.
 *
 * Saving is debounced (resizing and moving fire many events) and flushed when the window closes.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { Clock, Timer } from '../platform/index.ts';
import { DEFAULT_BOUNDS, mainWindowOptions, type WindowBounds } from './window.ts';

export const WINDOW_STATE_FILE = 'window-state.json';
export const SAVE_DEBOUNCE_MS = 500;
const TITLE_BAR = 32;
const GRAB_WIDTH = 64;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DisplayArea {
  workArea: Rect;
}

const Coordinate = z.int().min(-100_000).max(100_000);
const Length = z.int().min(1).max(100_000);

export const SavedWindowState = z.strictObject({
  version: z.literal(1),
  x: Coordinate,
  y: Coordinate,
  width: Length,
  height: Length,
  maximized: z.boolean(),
});
export type SavedWindowState = z.infer<typeof SavedWindowState>;

/** The saved state, or undefined when there is none or it is not ours (a damaged file is ignored). */
export function parseWindowState(text: string | undefined): SavedWindowState | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = SavedWindowState.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function serializeWindowState(bounds: Rect, maximized: boolean): string {
  const state: SavedWindowState = {
    version: 1,
    x: Math.round(bounds.x),
    y: Math.round(bounds.y),
    width: Math.round(bounds.width),
    height: Math.round(bounds.height),
    maximized,
  };
  return `${JSON.stringify(state)}\n`;
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** The window's minimum size, as the window options declare it. */
export function minimumWindowSize(): { width: number; height: number } {
  const options = mainWindowOptions('');
  return { width: options.minWidth ?? 1, height: options.minHeight ?? 1 };
}

function fitSize(width: number, height: number, area: Rect, min: { width: number; height: number }) {
  return {
    width: Math.min(Math.max(width, min.width), area.width),
    height: Math.min(Math.max(height, min.height), area.height),
  };
}

function centredOn(area: Rect, size: { width: number; height: number }): Rect {
  return {
    x: area.x + Math.floor((area.width - size.width) / 2),
    y: area.y + Math.floor((area.height - size.height) / 2),
    ...size,
  };
}

/** Where the window opens: the saved bounds if they are reachable on a display, else centred on the primary. */
export function restoredBounds(
  saved: SavedWindowState | undefined,
  displays: readonly DisplayArea[],
  primary: DisplayArea,
  min = minimumWindowSize(),
): WindowBounds {
  if (!saved)
    return {
      ...centredOn(
        primary.workArea,
        fitSize(DEFAULT_BOUNDS.width, DEFAULT_BOUNDS.height, primary.workArea, min),
      ),
      maximized: false,
    };
  const titleBar: Rect = { x: saved.x, y: saved.y, width: saved.width, height: TITLE_BAR };
  const home = displays.find((d) => {
    const o = overlap(titleBar, d.workArea);
    return o.width >= Math.min(GRAB_WIDTH, saved.width) && o.height >= TITLE_BAR;
  });
  if (!home)
    return {
      ...centredOn(primary.workArea, fitSize(saved.width, saved.height, primary.workArea, min)),
      maximized: saved.maximized,
    };
  const area = home.workArea;
  const size = fitSize(saved.width, saved.height, area, min);
  return {
    x: clamp(saved.x, area.x, area.x + area.width - size.width),
    y: clamp(saved.y, area.y, area.y + area.height - size.height),
    ...size,
    maximized: saved.maximized,
  };
}

export interface TextFile {
  read(): string | undefined;
  write(text: string): void;
}

/** A small file in the user data folder, written atomically (temporary file + rename). */
export function textFileAt(file: string): TextFile {
  return {
    read() {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
    },
    write(text) {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, file);
    },
  };
}

/** What the keeper needs of a BrowserWindow. */
export interface TrackedWindow {
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
  removeListener(
    event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close',
    listener: () => void,
  ): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isDestroyed(): boolean;
}

const CHANGES = ['resize', 'move', 'maximize', 'unmaximize'] as const;

export class WindowStateKeeper implements Disposable {
  private readonly clock: Clock;
  private readonly file: TextFile;
  private readonly onError: (error: Error) => void;
  private window: TrackedWindow | undefined;
  private pending: Timer | undefined;
  private lastWritten: string | undefined;
  private readonly scheduleSave = () => this.schedule();
  private readonly saveNow = () => this.flush();

  constructor(options: { clock: Clock; file: TextFile; onError(error: Error): void }) {
    this.clock = options.clock;
    this.file = options.file;
    this.onError = options.onError;
  }

  read(): SavedWindowState | undefined {
    const text = this.file.read();
    this.lastWritten = text;
    return parseWindowState(text);
  }

  track(window: TrackedWindow): void {
    this.untrack();
    this.window = window;
    for (const event of CHANGES) window.on(event, this.scheduleSave);
    window.on('close', this.saveNow);
  }

  /** Save now if a save is due (or always, when nothing was written yet). */
  flush(): void {
    this.pending?.cancel();
    this.pending = undefined;
    const window = this.window;
    if (!window || window.isDestroyed()) return;
    const text = serializeWindowState(window.getNormalBounds(), window.isMaximized());
    if (text === this.lastWritten) return;
    try {
      this.file.write(text);
      this.lastWritten = text;
    } catch (error) {
      this.onError(error as Error);
    }
  }

  dispose(): void {
    this.pending?.cancel();
    this.pending = undefined;
    this.untrack();
  }

  private schedule(): void {
    this.pending?.cancel();
    this.pending = this.clock.setTimer(SAVE_DEBOUNCE_MS, () => {
      this.pending = undefined;
      this.flush();
    });
  }

  private untrack(): void {
    const window = this.window;
    if (!window) return;
    this.window = undefined;
    for (const event of CHANGES) window.removeListener(event, this.scheduleSave);
    window.removeListener('close', this.saveNow);
  }
}
