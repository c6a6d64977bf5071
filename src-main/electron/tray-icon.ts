/**
 * The tray and taskbar-overlay icons, drawn as pixels (4×4 supersampled for smooth edges) and encoded
 * with our PNG encoder. Each status differs in shape as well as colour, so it reads without colour vision:
 *
 *   registered   filled green disc
 *   connecting   amber ring            (registering / unregistering)
 *   offline      grey ring, thinner    (no account registered)
 *   failed       red disc with a white bar ("no entry")
 *
 * With `badge` a red dot sits in the top-right corner (missed calls), cut out of the disc by a clear gap.
 */
import { assertNever } from '../../src-shared/util/emitter.ts';
import type { RgbaImage } from './png-encoder.ts';

export type TrayIconStatus = 'registered' | 'connecting' | 'offline' | 'failed';

export interface TrayIconSpec {
  status: TrayIconStatus;
  badge: boolean;
}

type Rgb = readonly [number, number, number];

const COLOURS: Record<TrayIconStatus, Rgb> = {
  registered: [0x2e, 0xad, 0x4b],
  connecting: [0xe0, 0xa1, 0x00],
  offline: [0x8a, 0x90, 0x99],
  failed: [0xd9, 0x3b, 0x3b],
};
const BADGE: Rgb = [0xe5, 0x32, 0x2d];
const WHITE: Rgb = [0xff, 0xff, 0xff];

const SUBSAMPLES = 4;

/** What covers the unit-square point (u, v): a colour, or null for transparent. */
type Painter = (u: number, v: number) => Rgb | null;

function inDisc(u: number, v: number, cx: number, cy: number, r: number): boolean {
  return (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
}

function statusPainter(status: TrayIconStatus): Painter {
  const colour = COLOURS[status];
  const outer = 0.42;
  switch (status) {
    case 'registered':
      return (u, v) => (inDisc(u, v, 0.5, 0.5, outer) ? colour : null);
    case 'connecting':
      return (u, v) => (inDisc(u, v, 0.5, 0.5, outer) && !inDisc(u, v, 0.5, 0.5, 0.24) ? colour : null);
    case 'offline':
      return (u, v) => (inDisc(u, v, 0.5, 0.5, outer) && !inDisc(u, v, 0.5, 0.5, 0.3) ? colour : null);
    case 'failed':
      return (u, v) => {
        if (!inDisc(u, v, 0.5, 0.5, outer)) return null;
        return u >= 0.27 && u <= 0.73 && v >= 0.43 && v <= 0.57 ? WHITE : colour;
      };
    default:
      return assertNever(status, 'tray icon status');
  }
}

function withBadge(base: Painter): Painter {
  const cx = 0.78;
  const cy = 0.22;
  return (u, v) => {
    if (inDisc(u, v, cx, cy, 0.2)) return BADGE;
    if (inDisc(u, v, cx, cy, 0.28)) return null; // the gap that separates the dot from the disc
    return base(u, v);
  };
}

function rasterize(size: number, paint: Painter): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  const n = SUBSAMPLES * SUBSAMPLES;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          const c = paint((x + (sx + 0.5) / SUBSAMPLES) / size, (y + (sy + 0.5) / SUBSAMPLES) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          covered++;
        }
      }
      const i = (y * size + x) * 4;
      if (covered === 0) continue;
      // straight alpha: the colour is the mean of the covered samples, alpha the covered fraction
      data[i] = Math.round(r / covered);
      data[i + 1] = Math.round(g / covered);
      data[i + 2] = Math.round(b / covered);
      data[i + 3] = Math.round((covered / n) * 255);
    }
  }
  return { width: size, height: size, data };
}

export function drawTrayIcon(spec: TrayIconSpec, size: number): RgbaImage {
  const base = statusPainter(spec.status);
  return rasterize(size, spec.badge ? withBadge(base) : base);
}

/** The Windows taskbar overlay for missed calls: a red dot with a white rim. */
export function drawBadgeOverlay(size: number): RgbaImage {
  return rasterize(size, (u, v) =>
    inDisc(u, v, 0.5, 0.5, 0.36) ? BADGE : inDisc(u, v, 0.5, 0.5, 0.46) ? WHITE : null,
  );
}
