export { Phone, type PhoneOptions } from './phone.ts';
export { CommandRouter, type CommandHandlers, type SenderInfo, type RouterOptions } from './router.ts';
export { PhoneLog, redactSecrets, type ScopedLog } from './log.ts';
export { InMemorySettings, deepMerge, type SettingsStore } from './settings.ts';
export { createNodePhone, packageInfo, type NodePhoneOptions, type PackageInfo } from './node.ts';
