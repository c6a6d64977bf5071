/**
 * RFC 2782 "Usage rules": the order in which to contact the targets of an SRV RRset.
 *
 * Lowest priority first ("A client MUST attempt to contact the target host with the lowest-numbered
 * priority it can reach"); within one priority, a weighted random order:
 *
 *   "To select a target to be contacted next, arrange all SRV RRs (that have not been ordered yet) in
 *   any order, except that all those with weight 0 are placed at the beginning of the list. Compute the
 *   sum of the weights of those RRs, and with each RR associate the running sum in the selected order.
 *   Then choose a uniform random number between 0 and the sum computed (inclusive), and select the RR
 *   whose running sum value is the first in the selected order which is greater than or equal to the
 *   random number selected. [...] Remove this SRV RR from the set of the unordered SRV RRs and apply
 *   the described algorithm to the unordered SRV RRs to compute the next host until no unordered SRV
 *   RRs remain."
 */
import type { SrvRecord } from '../../platform/index.ts';

/** A uniform random number in [0, 1), like Math.random (tests inject a seeded one). */
export type RandomSource = () => number;

/** RFC 2782: "A Target of "." means that the service is decidedly not available at this domain." */
export function isServiceUnavailableMarker(record: SrvRecord): boolean {
  return record.name === '.' || record.name === '';
}

/** The records in the order to try them (RFC 2782 priority, then weighted random selection). */
export function orderSrvRecords(records: readonly SrvRecord[], random: RandomSource): SrvRecord[] {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  const ordered: SrvRecord[] = [];
  for (const priority of priorities) {
    // Zero weights first, the rest in the order DNS gave them ("in any order" — keeping it stable makes
    // the selection a function of the random numbers alone).
    const unordered = records.filter((r) => r.priority === priority);
    unordered.sort((a, b) => Number(a.weight !== 0) - Number(b.weight !== 0));
    while (unordered.length > 0) {
      const sum = unordered.reduce((total, r) => total + r.weight, 0);
      // "a uniform random number between 0 and the sum computed (inclusive)"
      const pick = Math.min(sum, Math.floor(random() * (sum + 1)));
      let running = 0;
      let index = unordered.length - 1;
      for (let i = 0; i < unordered.length; i++) {
        running += unordered[i]?.weight ?? 0;
        if (running >= pick) {
          index = i;
          break;
        }
      }
      const [chosen] = unordered.splice(index, 1);
      if (chosen) ordered.push(chosen);
    }
  }
  return ordered;
}
