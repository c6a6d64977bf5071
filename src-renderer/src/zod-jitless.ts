/**
 * The renderer checks forms with the contract's zod schemas. Without `jitless`, zod probes whether it
 * may compile parsers with `new Function` — the window's CSP forbids eval, and the browser reports the
 * (caught) attempt as a CSP violation. Imported first by main.ts, before any schema parses.
 */
import { z } from 'zod';

z.config({ jitless: true });
