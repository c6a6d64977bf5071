/**
 * The app's icons: 24×24 outline drawings (stroked with the current text colour), drawn for this app.
 * Each is a list of SVG path data; `UiIcon` renders them inline, so no file or font is loaded.
 */
export const ICONS = {
  phone: [
    'M6.5 3.5h2.8l1.6 4.3-2.1 1.4a11.5 11.5 0 0 0 6 6l1.4-2.1 4.3 1.6v2.8a2 2 0 0 1-2.2 2A16.5 16.5 0 0 1 4.5 5.7a2 2 0 0 1 2-2.2z',
  ],
  contacts: ['M8 8a4 4 0 1 0 8 0a4 4 0 1 0-8 0', 'M4.5 20.5c.6-3.6 3.8-6 7.5-6s6.9 2.4 7.5 6'],
  history: ['M3.5 12a8.5 8.5 0 1 0 17 0a8.5 8.5 0 1 0-17 0', 'M12 7.5V12l3 2'],
  diagnostics: ['M3 12h4l2.5-6 5 12 2.5-6h4'],
  settings: [
    'M4 6.5h9',
    'M17 6.5h3',
    'M15 4.5v4',
    'M4 12h3',
    'M11 12h9',
    'M9 10v4',
    'M4 17.5h11',
    'M19 17.5h1',
    'M17 15.5v4',
  ],
  backspace: ['M20.5 5.5H9L3.5 12 9 18.5h11.5z', 'M12 9.5l5 5', 'M17 9.5l-5 5'],
  sun: [
    'M8.5 12a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0',
    'M12 3v2',
    'M12 19v2',
    'M3 12h2',
    'M19 12h2',
    'M5.6 5.6 7 7',
    'M17 17l1.4 1.4',
    'M5.6 18.4 7 17',
    'M17 7l1.4-1.4',
  ],
  moon: ['M19.5 14.5A8 8 0 0 1 9.5 4.5a8 8 0 1 0 10 10z'],
  monitor: ['M3.5 5.5h17v11h-17z', 'M9 20h6', 'M12 16.5V20'],
  info: ['M3.5 12a8.5 8.5 0 1 0 17 0a8.5 8.5 0 1 0-17 0', 'M12 11v5', 'M12 8h.01'],
  alert: ['M12 4 2.8 19.5h18.4z', 'M12 10v4.5', 'M12 17h.01'],
  language: [
    'M3.5 12a8.5 8.5 0 1 0 17 0a8.5 8.5 0 1 0-17 0',
    'M3.5 12h17',
    'M12 3.5c2.5 2.4 3.5 5.3 3.5 8.5s-1 6.1-3.5 8.5c-2.5-2.4-3.5-5.3-3.5-8.5s1-6.1 3.5-8.5z',
  ],
} as const satisfies Record<string, readonly string[]>;

export type IconName = keyof typeof ICONS;
