/**
 * The hook `npm run bench` (bench/run.ts) reads for its issue #14 summary: write units per event
 * with 10k identities per delivery and the cost per million events there, measured by
 * bench/writes.ts (10k identities, 30 days learned, the Lambda handlers' write policy, 20 deliveries
 * of 1,000 events through the production store against the billing in-process table).
 */
import { writeFigures } from './writes.js';

/** Figures for the summary. */
export async function writesSummary(): Promise<{
  writeUnitsPerEvent10k: number;
  costUsdPerMillion: number;
  note: string;
}> {
  const f = await writeFigures(true);
  return {
    writeUnitsPerEvent10k: f.writeUnitsPerEvent,
    costUsdPerMillion: f.costPerMillion,
    note: `npm run bench:writes (10k identities, 30 days learned, ${f.point.events.toLocaleString('en-US')} events; ${f.readUnitsPerEvent.toFixed(2)} read units / event)`,
  };
}
