/**
 * The audio link: how one call's PCM travels between the main process (the phone) and the renderer (the
 * microphone and the speaker). It is not part of the command/event contract — audio never goes through
 * invoke/events — but both sides must agree on its bytes, so they are declared once, here.
 *
 * ## Transport
 * One link per call that has audio. In Electron the link is a `MessageChannelMain`: main keeps port1 and
 * sends port2 to our window on the IPC channel `AUDIO_PORT_IPC_CHANNEL` with an `AudioPortOffer` (the call
 * id and the call's own device choice, if any); the preload hands the port to the page with
 * `window.postMessage({ type: AUDIO_PORT_WINDOW_MESSAGE, ...offer }, origin, [port])`. The e2e test host
 * emulates that over its WebSocket (test/host). Every message on a link is one
 * `ArrayBuffer` in the format below (never transferred towards main: Electron loses transferred buffers
 * between a renderer MessagePort and a MessagePortMain, electron/electron#34905).
 *
 * ## Message format (little-endian; every platform Electron supports is)
 *
 *     byte 0     kind: 1 frame, 2 route, 3 end, 4 report
 *     byte 1     flags: route → bit 0 = routed; 0 otherwise
 *     bytes 2–3  zero
 *     frame      bytes 4…1923: 960 signed 16-bit mono samples at 48 kHz (20 ms)
 *                  renderer → main: microphone; main → renderer: audio to play
 *     route      (main → renderer) no body. routed = this call has the audio focus: the renderer sends it
 *                the microphone and plays its frames; unrouted = a held or background call, which gets
 *                nothing. The microphone stays open while any link exists, so moving the focus between
 *                calls never reopens it.
 *     end        (main → renderer) no body: the call's audio is over; the renderer drops the link and
 *                stops the microphone and the AudioContext when it was the last one.
 *     report     (renderer → main) bytes 4: state, 5: failure, 6–7: zero, 8…: REPORT_FIELDS as float64 —
 *                what the device side sees (levels, latency, buffer health), twice a second.
 *
 * Anything else — a wrong length, an unknown kind, non-zero spare bits, a number out of range — is
 * rejected by `decodeAudioLinkMessage`: the renderer is untrusted.
 */

/** The rate of every frame on a link (the renderer's AudioContext runs at it). */
export const LINK_SAMPLE_RATE = 48_000;
/** Samples in one 20 ms frame at LINK_SAMPLE_RATE. */
export const LINK_FRAME_SAMPLES = 960;
export const LINK_HEADER_BYTES = 4;
export const LINK_FRAME_BYTES = LINK_HEADER_BYTES + LINK_FRAME_SAMPLES * 2;

/** IPC channel on which main sends a call's port to the preload. */
export const AUDIO_PORT_IPC_CHANNEL = 'audio:port';
/** `type` of the window message with which the preload (or the test host's bridge) hands a port to the page. */
export const AUDIO_PORT_WINDOW_MESSAGE = 'softphone:audio-port';
/** Longest call id a port announcement may carry (the contract's CallId bound). */
export const AUDIO_LINK_CALL_ID_MAX = 256;

const KIND_CODES = { frame: 1, route: 2, end: 3, report: 4 } as const;

export const RENDERER_AUDIO_STATES = ['starting', 'running', 'failed'] as const;
export type RendererAudioState = (typeof RENDERER_AUDIO_STATES)[number];

/**
 * Why the renderer has no audio device:
 *   permission-denied  the user or the OS refused the microphone
 *   no-device          no microphone (or the chosen one is gone and there is no default)
 *   device-busy        the microphone exists but could not be opened (in use, hardware error)
 *   unsupported        this renderer lacks getUserMedia, AudioContext or AudioWorklet
 *   error              anything else
 */
export const RENDERER_AUDIO_FAILURES = [
  'none',
  'permission-denied',
  'no-device',
  'device-busy',
  'unsupported',
  'error',
] as const;
export type RendererAudioFailure = (typeof RENDERER_AUDIO_FAILURES)[number];

/** What the renderer's audio engine reports about itself. */
export interface RendererAudioReport {
  state: RendererAudioState;
  failure: RendererAudioFailure;
  /** The AudioContext's rate (48000 unless the platform refused it). */
  contextSampleRate: number;
  /** AudioContext.baseLatency / outputLatency, ms (0 when the platform does not say). */
  baseLatencyMs: number;
  outputLatencyMs: number;
  /** Microphone frames sent on this link since it was attached. */
  capturedFrames: number;
  /** RMS of the microphone over the last report interval, dBFS (−120 for silence). */
  captureLevelDbfs: number;
  /** RMS of what the speaker played over the last report interval, dBFS (−120 for silence). */
  playbackLevelDbfs: number;
  /** Strongest frequency in what the speaker plays now, Hz (0 for silence). */
  playbackPeakHz: number;
  /** Audio queued in the playback worklet (smoothed), ms: the renderer's share of the mouth-to-ear delay. */
  playbackBufferedMs: number;
  /** Times the playback queue ran dry / overflowed since the engine started. */
  playbackUnderruns: number;
  playbackOverflows: number;
}

/** The numeric report fields in wire order, with their accepted range. */
const REPORT_FIELDS = [
  ['contextSampleRate', 1, 768_000],
  ['baseLatencyMs', 0, 60_000],
  ['outputLatencyMs', 0, 60_000],
  ['capturedFrames', 0, Number.MAX_SAFE_INTEGER],
  ['captureLevelDbfs', -120, 60],
  ['playbackLevelDbfs', -120, 60],
  ['playbackPeakHz', 0, 384_000],
  ['playbackBufferedMs', 0, 60_000],
  ['playbackUnderruns', 0, Number.MAX_SAFE_INTEGER],
  ['playbackOverflows', 0, Number.MAX_SAFE_INTEGER],
] as const satisfies ReadonlyArray<readonly [keyof RendererAudioReport, number, number]>;

const REPORT_BODY_OFFSET = 8;
export const LINK_REPORT_BYTES = REPORT_BODY_OFFSET + REPORT_FIELDS.length * 8;

export type AudioLinkMessage =
  | { readonly kind: 'frame'; readonly samples: Int16Array }
  | { readonly kind: 'route'; readonly routed: boolean }
  | { readonly kind: 'end' }
  | { readonly kind: 'report'; readonly report: RendererAudioReport };

export type AudioLinkMessageKind = AudioLinkMessage['kind'];

export type AudioLinkDecodeResult =
  { readonly ok: true; readonly message: AudioLinkMessage } | { readonly ok: false; readonly error: string };

/** The bytes of one message (a fresh buffer of exactly the message's size). */
export function encodeAudioLinkMessage(message: AudioLinkMessage): ArrayBuffer {
  switch (message.kind) {
    case 'frame': {
      const { buffer, samples } = createFrameMessage();
      if (message.samples.length !== LINK_FRAME_SAMPLES) {
        throw new RangeError(`a link frame has ${LINK_FRAME_SAMPLES} samples, not ${message.samples.length}`);
      }
      samples.set(message.samples);
      return buffer;
    }
    case 'route': {
      const bytes = new Uint8Array(LINK_HEADER_BYTES);
      bytes[0] = KIND_CODES.route;
      bytes[1] = message.routed ? 1 : 0;
      return bytes.buffer;
    }
    case 'end': {
      const bytes = new Uint8Array(LINK_HEADER_BYTES);
      bytes[0] = KIND_CODES.end;
      return bytes.buffer;
    }
    case 'report':
      return encodeReport(message.report);
  }
}

/**
 * A frame message whose samples the caller fills in place (the capture worklet writes the microphone
 * straight into it and transfers the buffer).
 */
export function createFrameMessage(): { buffer: ArrayBuffer; samples: Int16Array } {
  const buffer = new ArrayBuffer(LINK_FRAME_BYTES);
  new Uint8Array(buffer)[0] = KIND_CODES.frame;
  return { buffer, samples: new Int16Array(buffer, LINK_HEADER_BYTES, LINK_FRAME_SAMPLES) };
}

/** Parses one message from the other side. Frames are copied out, so the result owns its samples. */
export function decodeAudioLinkMessage(data: unknown): AudioLinkDecodeResult {
  const bytes = bytesOf(data);
  if (!bytes) return fail('not binary data');
  if (bytes.length < LINK_HEADER_BYTES) return fail(`${bytes.length} bytes is shorter than the header`);
  const kind = bytes[0];
  const flags = bytes[1]!;
  if (bytes[2] !== 0 || bytes[3] !== 0) return fail('spare header bytes are not zero');
  switch (kind) {
    case KIND_CODES.frame: {
      if (flags !== 0) return fail('a frame carries no flags');
      if (bytes.length !== LINK_FRAME_BYTES)
        return fail(`a frame is ${LINK_FRAME_BYTES} bytes, not ${bytes.length}`);
      const copy = bytes.slice(LINK_HEADER_BYTES);
      return { ok: true, message: { kind: 'frame', samples: new Int16Array(copy.buffer) } };
    }
    case KIND_CODES.route:
      if (bytes.length !== LINK_HEADER_BYTES) return fail('a route message has no body');
      if (flags > 1) return fail('unknown route flags');
      return { ok: true, message: { kind: 'route', routed: flags === 1 } };
    case KIND_CODES.end:
      if (bytes.length !== LINK_HEADER_BYTES || flags !== 0)
        return fail('an end message has no body or flags');
      return { ok: true, message: { kind: 'end' } };
    case KIND_CODES.report:
      if (flags !== 0) return fail('a report carries no flags');
      return decodeReport(bytes);
    default:
      return fail(`unknown message kind ${String(kind)}`);
  }
}

/** Longest device id an offer may carry (the settings' DeviceId bound). */
export const AUDIO_DEVICE_ID_MAX = 256;

/**
 * What comes with a call's port: the call, and the devices this call asked for (`calls.dial` /
 * `calls.answer` with `audio`). A device field that is absent means "as in Settings"; null means the
 * system default; a string is a device id from `enumerateDevices()`.
 */
export interface AudioPortOffer {
  callId: string;
  inputDeviceId?: string | null;
  outputDeviceId?: string | null;
}

/** The window message that hands a call's port to the page. */
export interface AudioPortAnnouncement extends AudioPortOffer {
  type: typeof AUDIO_PORT_WINDOW_MESSAGE;
}

/**
 * A copy of `data` holding exactly an offer's fields, or null when it is not a valid offer (the preload
 * forwards only this copy; the page checks the announcement again).
 */
export function parseAudioPortOffer(data: unknown): AudioPortOffer | null {
  if (typeof data !== 'object' || data === null) return null;
  const candidate = data as { callId?: unknown; inputDeviceId?: unknown; outputDeviceId?: unknown };
  if (!isLinkCallId(candidate.callId)) return null;
  if (!isOptionalDeviceId(candidate.inputDeviceId) || !isOptionalDeviceId(candidate.outputDeviceId))
    return null;
  return {
    callId: candidate.callId,
    ...(candidate.inputDeviceId !== undefined ? { inputDeviceId: candidate.inputDeviceId } : {}),
    ...(candidate.outputDeviceId !== undefined ? { outputDeviceId: candidate.outputDeviceId } : {}),
  };
}

export function isAudioPortAnnouncement(data: unknown): data is AudioPortAnnouncement {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === AUDIO_PORT_WINDOW_MESSAGE &&
    parseAudioPortOffer(data) !== null
  );
}

function isOptionalDeviceId(value: unknown): value is string | null | undefined {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.length <= AUDIO_DEVICE_ID_MAX)
  );
}

/** A call id as a link may carry it: 1…AUDIO_LINK_CALL_ID_MAX characters. */
export function isLinkCallId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= AUDIO_LINK_CALL_ID_MAX;
}

function encodeReport(report: RendererAudioReport): ArrayBuffer {
  const buffer = new ArrayBuffer(LINK_REPORT_BYTES);
  const view = new DataView(buffer);
  view.setUint8(0, KIND_CODES.report);
  view.setUint8(4, RENDERER_AUDIO_STATES.indexOf(report.state));
  view.setUint8(5, RENDERER_AUDIO_FAILURES.indexOf(report.failure));
  REPORT_FIELDS.forEach(([name, min, max], i) => {
    // clamp on the way out, so a report from a healthy renderer always decodes
    const value = report[name];
    view.setFloat64(
      REPORT_BODY_OFFSET + i * 8,
      Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min,
      true,
    );
  });
  return buffer;
}

function decodeReport(bytes: Uint8Array): AudioLinkDecodeResult {
  if (bytes.length !== LINK_REPORT_BYTES)
    return fail(`a report is ${LINK_REPORT_BYTES} bytes, not ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const state = RENDERER_AUDIO_STATES[view.getUint8(4)];
  const failure = RENDERER_AUDIO_FAILURES[view.getUint8(5)];
  if (state === undefined) return fail('unknown report state');
  if (failure === undefined) return fail('unknown report failure');
  if (view.getUint8(6) !== 0 || view.getUint8(7) !== 0) return fail('spare report bytes are not zero');
  const report: RendererAudioReport = {
    state,
    failure,
    contextSampleRate: 0,
    baseLatencyMs: 0,
    outputLatencyMs: 0,
    capturedFrames: 0,
    captureLevelDbfs: 0,
    playbackLevelDbfs: 0,
    playbackPeakHz: 0,
    playbackBufferedMs: 0,
    playbackUnderruns: 0,
    playbackOverflows: 0,
  };
  for (const [i, [name, min, max]] of REPORT_FIELDS.entries()) {
    const value = view.getFloat64(REPORT_BODY_OFFSET + i * 8, true);
    if (!(value >= min && value <= max)) return fail(`report field ${name} out of range`);
    report[name] = value;
  }
  return { ok: true, message: { kind: 'report', report } };
}

function bytesOf(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

function fail(error: string): AudioLinkDecodeResult {
  return { ok: false, error };
}
