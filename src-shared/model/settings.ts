/**
 * Application settings as both processes see them. The schemas are the single source of truth: the store
 * validates what it writes and reads with them, the IPC contract validates what the renderer sends.
 *
 * Settings are grouped (audio, calls, network, app, nat, shortcuts). A `SettingsPatch` replaces individual
 * fields inside groups; the merged result must pass `Settings` (which also checks cross-field rules such
 * as port ranges). Every object is strict and every string bounded, because the renderer is untrusted.
 */
import { z } from 'zod';

// ─────────────────────────── shared pieces ───────────────────────────
// (account.ts reuses these, so per-account overrides accept exactly what the global settings accept)

/** How DTMF digits are sent: RFC 4733 telephone-event packets, SIP INFO, or decided per call. */
export const DtmfMode = z.enum(['rfc4733', 'info', 'auto']);
export type DtmfMode = z.infer<typeof DtmfMode>;

/** ICE use: always offer it, never, or offer it and fall back to plain RTP when the peer has none. */
export const IceMode = z.enum(['on', 'off', 'auto']);
export type IceMode = z.infer<typeof IceMode>;

/** An RTP payload format name as it appears in SDP `a=rtpmap` (`opus`, `G722`, `PCMU`, `PCMA`, …). */
export const CodecName = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'codec name: letters, digits, ".", "_" or "-"');
export type CodecName = z.infer<typeof CodecName>;

/** A preference-ordered codec list: no duplicates (compared case-insensitively, as SDP does). */
export const CodecOrder = z
  .array(CodecName)
  .max(16)
  .refine((names) => new Set(names.map((n) => n.toLowerCase())).size === names.length, 'codec listed twice');
export type CodecOrder = z.infer<typeof CodecOrder>;

export const Port = z.int().min(1).max(65535);

/** An inclusive port range. */
export const PortRange = z
  .strictObject({ min: Port, max: Port })
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max', path: ['max'] });
export type PortRange = z.infer<typeof PortRange>;

/** Seconds between NAT keepalives (CRLF over TCP/TLS, STUN or CRLF over UDP); 0 turns them off. */
export const KeepaliveIntervalSec = z.int().min(0).max(3600);

/** A media device id as reported by `enumerateDevices()`; null means the system default. */
const DeviceId = z.string().max(256).nullable();

/**
 * An Electron accelerator such as `CommandOrControl+Shift+A`; null means no shortcut. Only the
 * characters accelerators use are accepted.
 */
export const Accelerator = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9+\-=[\];',./`\\ ]+$/, 'not an accelerator')
  .nullable();

/** The UI language: `system` follows the OS's preferred languages; the others are a choice the user made. */
export const Language = z.enum(['system', 'en', 'zh-CN']);
export type Language = z.infer<typeof Language>;

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

// ─────────────────────────────── groups ───────────────────────────────
// Each group is declared twice from one field list: the full group (what `Settings` holds) and its
// partial form (what a patch may carry). Fields carry no zod defaults: the defaults live in
// DEFAULT_SETTINGS, so that a partial patch can never be filled in with defaults by accident.

const audioFields = {
  inputDeviceId: DeviceId,
  outputDeviceId: DeviceId,
  /** Where the ringtone plays (often the speakers while calls use a headset). */
  ringtoneDeviceId: DeviceId,
};
const callFields = {
  codecOrder: CodecOrder,
  dtmfMode: DtmfMode,
};
const networkFields = {
  /** Local ports the SIP transports may bind. */
  sipPorts: PortRange,
  /** Local ports media sockets may bind (each call takes one or two). */
  rtpPorts: PortRange,
};
const appFields = {
  startMinimized: z.boolean(),
  startAtLogin: z.boolean(),
  language: Language,
  theme: Theme,
};
const natFields = {
  iceMode: IceMode,
  /** Find STUN servers by DNS SRV (`_stun._udp.<domain>`) when an account lists none. */
  stunAutoDiscovery: z.boolean(),
  /** Find TURN servers by DNS SRV (`_turn._udp.<domain>`) when an account lists none. */
  turnAutoDiscovery: z.boolean(),
  keepaliveIntervalSec: KeepaliveIntervalSec,
};
const shortcutFields = {
  answer: Accelerator,
  hangup: Accelerator,
  toggleMute: Accelerator,
  showWindow: Accelerator,
};

export const AudioSettings = z.strictObject(audioFields);
export const CallSettings = z.strictObject(callFields);
export const NetworkSettings = z.strictObject(networkFields);
export const AppSettings = z.strictObject(appFields);
export const NatSettings = z.strictObject(natFields);
export const ShortcutSettings = z.strictObject(shortcutFields);
export type AudioSettings = z.infer<typeof AudioSettings>;
export type CallSettings = z.infer<typeof CallSettings>;
export type NetworkSettings = z.infer<typeof NetworkSettings>;
export type AppSettings = z.infer<typeof AppSettings>;
export type NatSettings = z.infer<typeof NatSettings>;
export type ShortcutSettings = z.infer<typeof ShortcutSettings>;

/** The complete settings; what `settings.get` returns. */
export const Settings = z.strictObject({
  audio: AudioSettings,
  calls: CallSettings,
  network: NetworkSettings,
  app: AppSettings,
  nat: NatSettings,
  shortcuts: ShortcutSettings,
});
export type Settings = z.infer<typeof Settings>;

/** The names of the groups, in declaration order. */
export const SETTINGS_GROUPS = ['audio', 'calls', 'network', 'app', 'nat', 'shortcuts'] as const;
export type SettingsGroup = (typeof SETTINGS_GROUPS)[number];

/** A change: any fields of any groups. Unknown groups or fields are rejected, not ignored. */
export const SettingsPatch = z.strictObject({
  audio: AudioSettings.partial().optional(),
  calls: CallSettings.partial().optional(),
  network: NetworkSettings.partial().optional(),
  app: AppSettings.partial().optional(),
  nat: NatSettings.partial().optional(),
  shortcuts: ShortcutSettings.partial().optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** What a fresh installation starts with (and what replaces a stored field that no longer validates). */
export const DEFAULT_SETTINGS: Settings = {
  audio: { inputDeviceId: null, outputDeviceId: null, ringtoneDeviceId: null },
  calls: { codecOrder: ['opus', 'G722', 'PCMU', 'PCMA'], dtmfMode: 'rfc4733' },
  network: { sipPorts: { min: 5060, max: 5080 }, rtpPorts: { min: 16384, max: 32767 } },
  app: { startMinimized: false, startAtLogin: false, language: 'system', theme: 'system' },
  nat: { iceMode: 'auto', stunAutoDiscovery: true, turnAutoDiscovery: true, keepaliveIntervalSec: 25 },
  shortcuts: { answer: null, hangup: null, toggleMute: null, showWindow: null },
};

/** The field schemas of each group, for code that validates stored values one field at a time. */
export const SETTINGS_FIELDS = {
  audio: audioFields,
  calls: callFields,
  network: networkFields,
  app: appFields,
  nat: natFields,
  shortcuts: shortcutFields,
} as const satisfies Record<SettingsGroup, Record<string, z.ZodType>>;

/** The full-group schemas, keyed by group. */
export const SETTINGS_GROUP_SCHEMAS = {
  audio: AudioSettings,
  calls: CallSettings,
  network: NetworkSettings,
  app: AppSettings,
  nat: NatSettings,
  shortcuts: ShortcutSettings,
} as const satisfies Record<SettingsGroup, z.ZodType>;
