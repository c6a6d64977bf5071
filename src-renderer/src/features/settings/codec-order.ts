/**
 * How a codec of the preference list is shown: its SDP name, or the name people know it by, marked HD
 * when it is wideband (G722 → "G.722", HD: 16 kHz audio where G.711 has 8 kHz).
 */
export function codecDisplay(codec: string): { readonly name: string; readonly hd: boolean } {
  return codec.toUpperCase() === 'G722' ? { name: 'G.722', hd: true } : { name: codec, hd: false };
}

/** Moving one codec in the preference list (a new array; the list itself is not changed). */
export function moveItem<T>(list: readonly T[], from: number, by: -1 | 1): T[] {
  const to = from + by;
  if (from < 0 || from >= list.length || to < 0 || to >= list.length) return [...list];
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item as T);
  return next;
}
