/**
 * `npm run bench:stream -- --events N`: streaming replay on an input far larger than one
 * simulation. Writes N simulated events to disk as gzipped JSON Lines under date-partitioned
 * folders (consecutive 14-day simulations of one fleet; CloudTrail and API Gateway as two
 * streams), then replays them with `replayFiles` in a fresh child process and reports events/s,
 * peak RSS and RSS samples along the way. Reports only; never fails a build; not part of npm test.
 *
 * Options: `--events N` (default 1,000,000), `--dir DIR` (default a folder under the OS temp dir;
 * reused when it already holds N events), `--buffer N` (reorder buffer, events), `--keep`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { finished } from 'node:stream/promises';
import { loadLocalSetup, replayFiles } from '../lambdas/local/replay.js';
import { DEFAULT_START_MS, simulate } from '../simulate/index.js';

const DAY_MS = 86_400_000;
const CHUNK_DAYS = 14;

/** Write one gzipped JSON Lines file, a row at a time (bounded memory). */
async function writeJsonlGz(path: string, rows: readonly unknown[]): Promise<void> {
  const gz = createGzip({ level: 1 });
  const out = createWriteStream(path);
  gz.pipe(out);
  for (let i = 0; i < rows.length; i += 2000) {
    const block = rows
      .slice(i, i + 2000)
      .map((r) => `${JSON.stringify(r)}\n`)
      .join('');
    if (!gz.write(block)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await finished(out);
}

const datePath = (ms: number): string => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '/');

/** Generate at least `target` events into `dir`; returns the count written. */
async function generate(dir: string, target: number): Promise<number> {
  const marker = join(dir, 'generated.json');
  if (existsSync(marker)) {
    const prior = JSON.parse(await readFile(marker, 'utf8')) as { events: number };
    if (prior.events >= target) return prior.events;
  }
  await rm(dir, { recursive: true, force: true });
  let written = 0;
  for (let k = 0; written < target; k++) {
    const startMs = DEFAULT_START_MS + k * CHUNK_DAYS * DAY_MS;
    const sim = simulate({ seed: 1, days: CHUNK_DAYS, start: startMs });
    const need = target - written;
    const ct = sim.cloudtrail.slice(0, Math.min(sim.cloudtrail.length, need));
    const api = sim.apiGateway.slice(0, Math.max(0, Math.min(sim.apiGateway.length, need - ct.length)));
    for (const [name, rows] of [
      ['cloudtrail', ct],
      ['apigw', api],
    ] as const) {
      if (rows.length === 0) continue;
      const d = join(dir, 'data', name, datePath(startMs));
      await mkdir(d, { recursive: true });
      await writeJsonlGz(join(d, `${name}.jsonl.gz`), rows);
    }
    written += ct.length + api.length;
    process.stderr.write(
      `\rgenerated ${written.toLocaleString('en-US')} / ${target.toLocaleString('en-US')} events`,
    );
  }
  process.stderr.write('\n');
  await writeFile(marker, JSON.stringify({ events: written }));
  return written;
}

/** Child: replay `dir`, sampling RSS, and print one JSON line of results. */
async function measure(dir: string, buffer: number | undefined): Promise<void> {
  const setup = await loadLocalSetup({});
  const samples: { events: number; rssMb: number }[] = [];
  let batches = 0;
  let events = 0;
  const t0 = performance.now();
  const result = await replayFiles([join(dir, 'data')], {
    ...setup,
    ...(buffer !== undefined ? { bufferEvents: buffer } : {}),
    onProgress: () => {
      batches += 1;
      events += 1000;
      if (batches % 1000 === 0)
        samples.push({ events, rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) });
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      events: result.events,
      identities: result.identities,
      findings: result.findings.length,
      late: result.late,
      rejected: [...result.rejects.values()].reduce((a, b) => a + b, 0),
      seconds,
      eventsPerSecond: result.events / seconds,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      samples,
    })}\n`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      dir: { type: 'string' },
      buffer: { type: 'string' },
      keep: { type: 'boolean' },
      measure: { type: 'string' },
    },
  });
  const buffer = values.buffer !== undefined ? Number(values.buffer) : undefined;
  if (values.measure !== undefined) return measure(values.measure, buffer);

  const target = Number(values.events ?? 1_000_000);
  const dir = values.dir ?? join(tmpdir(), `nhi-watch-stream-${target}`);
  const tg = performance.now();
  const written = await generate(dir, target);
  const generateSeconds = (performance.now() - tg) / 1000;

  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      __filename,
      '--measure',
      dir,
      ...(buffer !== undefined ? ['--buffer', String(buffer)] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`replay child exited with ${code}`);
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
    events: number;
    identities: number;
    findings: number;
    late: number;
    rejected: number;
    seconds: number;
    eventsPerSecond: number;
    peakRssMb: number;
    samples: { events: number; rssMb: number }[];
  };
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  process.stdout.write(
    [
      `streaming replay of ${n(written)} events (gzipped JSON Lines in ${join(dir, 'data')})`,
      `| events | identities | findings | late | rejected | seconds | events/s | peak RSS |`,
      `|---:|---:|---:|---:|---:|---:|---:|---:|`,
      `| ${n(r.events)} | ${n(r.identities)} | ${n(r.findings)} | ${n(r.late)} | ${n(r.rejected)} | ${r.seconds.toFixed(1)} | ${n(r.eventsPerSecond)} | ${n(r.peakRssMb)} MB |`,
      `RSS along the way: ${r.samples.map((s) => `${n(s.events / 1000)}k → ${s.rssMb} MB`).join(', ') || 'n/a'}`,
      `generation took ${generateSeconds.toFixed(0)} s (reused when the folder already held the events)`,
      '',
    ].join('\n'),
  );
  if (values.keep !== true && values.dir === undefined) await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
