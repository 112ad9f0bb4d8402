/**
 * Where the engine's time goes on the throughput payloads: `node --cpu-prof --import tsx
 * bench/profile-engine.ts` writes a V8 CPU profile (open it in Chrome DevTools), and this script
 * prints the top self-time functions. A diagnostic for the throughput figure, not a benchmark.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { loadIpIntelDb } from '../lambdas/adapters/ip-intel-db.js';
import { enginePass } from './engine-pass.js';
import { invictusPayloads } from './floor.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Top `n` functions by self time of the newest .cpuprofile in `dir`. */
export function topSelfTime(dir: string, n = 25): { fn: string; share: number }[] {
  // The main thread's profile is the largest (tsx's loader thread writes a small one too).
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ f, size: statSync(join(dir, f)).size }))
    .sort((a, b) => a.size - b.size)
    .pop()?.f;
  if (file === undefined) return [];
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)?.callFrame;
    if (!f) return;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, t]) => ({ fn, share: t / total }));
}

async function main(): Promise<void> {
  const intel = loadIpIntelDb();
  const set = await invictusPayloads(10_000);
  for (let i = 0; i < 8; i++) await enginePass(set.payloads, intel);
}

if (require.main === module) {
  const dir = process.argv[2];
  if (dir !== undefined) {
    for (const { fn, share } of topSelfTime(dir))
      process.stdout.write(`${(share * 100).toFixed(1).padStart(5)} %  ${fn}\n`);
  } else {
    main().catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    });
  }
}
