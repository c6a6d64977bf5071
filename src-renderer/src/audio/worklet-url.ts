// The reference brings the `?worker&url` declaration into programs that include this file only by import
// (`tsc -p test`); the renderer program includes the .d.ts anyway.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./worklet-module.d.ts" />
/**
 * The URL of the bundled worklet module. Vite builds `call-audio.worklet.ts` (with what it imports) into
 * a file of its own under assets/ and gives its URL — same origin, so `script-src 'self'` admits it.
 */
import url from './call-audio.worklet.ts?worker&url';

export const CALL_AUDIO_WORKLET_URL: string = url;
