/**
 * Who we are: name, product name and version from our package.json. A file of its own, importing nothing
 * but node:fs, so that `softphone --version` and `help` can read it without loading the phone (the CLI
 * imports this file directly; everyone else gets it through the folder's index).
 */
import { readFileSync } from 'node:fs';

export interface PackageInfo {
  name: string;
  productName: string;
  version: string;
}

let cachedPackage: PackageInfo | undefined;

/** name/productName/version from our package.json (read once). */
export function packageInfo(): PackageInfo {
  if (!cachedPackage) {
    const raw = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<
      string,
      unknown
    >;
    cachedPackage = {
      name: String(raw.name ?? 'softphone'),
      productName: String(raw.productName ?? 'Softphone'),
      version: String(raw.version ?? '0.0.0'),
    };
  }
  return cachedPackage;
}
