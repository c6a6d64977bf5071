#!/usr/bin/env node
// The `softphone` command. The phone is TypeScript that Node 24 runs directly (type stripping), so this
// works right after `npm ci` with no build step.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`softphone needs Node.js 24 or newer (this is ${process.version}).`);
  process.exit(2);
}
const { runCli } = await import('../src-main/cli/index.ts');
const code = await runCli({ argv: process.argv.slice(2) });
process.exitCode = code;
// Anything still holding the event loop after the command finished is not ours to wait for.
setTimeout(() => process.exit(code), 200).unref();
