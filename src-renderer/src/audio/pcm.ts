/**
 * Web Audio's float samples (nominally −1…1) ↔ the link's signed 16-bit samples.
 *
 * Float → Int16 scales negative values by 32768 and positive ones by 32767, so that −1 and 1 map to the
 * two ends of the 16-bit range, rounds to the nearest integer, and clips anything beyond ±1 (a hot
 * microphone, an AGC overshoot) instead of letting it wrap around. NaN becomes 0.
 * Int16 → float divides by 32768, so −32768 is exactly −1 and every value stays within −1…1.
 */

export function floatToInt16(value: number): number {
  if (!(value > -1)) return value <= -1 ? -32768 : 0; // ≤ −1, or NaN
  if (value >= 1) return 32767;
  return Math.round(value < 0 ? value * 32768 : value * 32767);
}

export function int16ToFloat(value: number): number {
  return value / 32768;
}

/** Converts `count` samples of `input` from `inputOffset` into `output` from `outputOffset`. */
export function floatsToInt16(
  input: Float32Array,
  inputOffset: number,
  output: Int16Array,
  outputOffset: number,
  count: number,
): void {
  for (let i = 0; i < count; i++) output[outputOffset + i] = floatToInt16(input[inputOffset + i]!);
}

/** Root mean square of 16-bit samples in dBFS (full-scale sine ≈ −3 dBFS); silence gives `floor`. */
export function int16LevelDbfs(sumOfSquares: number, count: number, floor = -120): number {
  if (count === 0 || sumOfSquares === 0) return floor;
  return Math.max(floor, 10 * Math.log10(sumOfSquares / count / (32768 * 32768)));
}
