export * from './define.ts';
export * from './contract.ts';
export * from './names.ts';
export * from './bridge.ts';
