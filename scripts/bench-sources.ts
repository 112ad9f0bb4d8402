/**
 * Throughput of the input side against the physical floor, measured in the same run:
 * floor = base64 + gunzip + JSON.parse of CloudWatch Logs payloads of CloudTrail events (corpus
 * events, source addresses replaced by random public IPv4 so IP lookups are not all cache hits);
 * then the same through decodeCloudWatchLogsData + normaliseCloudTrail with the real IP database.
 * Also: IP database load time, file size and lookups/s.
 *
 *   npx tsx scripts/bench-sources.ts
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DEFAULT_IP_INTEL_PATH, loadIpIntelDb } from '../lambdas/adapters/ip-intel-db.js';
import { normaliseCloudTrail } from '../lambdas/core/sources/cloudtrail/index.js';
import { decodeCloudWatchLogsData } from '../lambdas/core/sources/cloudwatch-logs.js';

const CORPUS = join(__dirname, '../../shared/corpus');
const ROUNDS = 9;
const PAYLOADS = 30;
const EVENTS_PER_PAYLOAD = 1000;

let seed = 7;
const random32 = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
const randomPublicIp = (): string => {
  const x = random32();
  return `${((x >>> 24) % 223) + 1}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const loadStarted = performance.now();
const intel = loadIpIntelDb();
const loadMs = performance.now() - loadStarted;

const lines = readFileSync(join(CORPUS, 'cloudtrail/invictus-aws-dataset/events.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => JSON.stringify({ ...(JSON.parse(l) as object), sourceIPAddress: randomPublicIp() }));
const payloads: string[] = [];
for (let p = 0; p < PAYLOADS; p++) {
  const logEvents = Array.from({ length: EVENTS_PER_PAYLOAD }, (_, i) => ({
    id: String(i),
    timestamp: 1688989320000 + i,
    message: lines[(p * EVENTS_PER_PAYLOAD + i) % lines.length] ?? '',
  }));
  const envelope = {
    owner: '123456789012',
    logGroup: 'cloudtrail',
    logStream: 's',
    subscriptionFilters: ['nhi-watch'],
    messageType: 'DATA_MESSAGE',
    logEvents,
  };
  payloads.push(gzipSync(JSON.stringify(envelope)).toString('base64'));
}

function floor(): number {
  let n = 0;
  for (const data of payloads) {
    const envelope = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as {
      logEvents: { message: string }[];
    };
    for (const e of envelope.logEvents) if (JSON.parse(e.message) !== null) n++;
  }
  return n;
}

function sources(): number {
  let n = 0;
  for (const data of payloads) {
    const decoded = decodeCloudWatchLogsData(data);
    if (!decoded.ok) continue;
    for (const e of decoded.value.logEvents) {
      if (
        normaliseCloudTrail(JSON.parse(e.message) as Record<string, unknown>, intel, {
          logGroup: decoded.value.logGroup,
        }).ok
      )
        n++;
    }
  }
  return n;
}

const rate = (f: () => number): number => {
  const started = performance.now();
  const n = f();
  return n / ((performance.now() - started) / 1000);
};
floor();
sources();
const floorRates: number[] = [];
const sourceRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  floorRates.push(rate(floor));
  sourceRates.push(rate(sources));
}
const floorRate = median(floorRates);
const sourceRate = median(sourceRates);

const ips = Array.from({ length: 200_000 }, randomPublicIp);
const lookupRates: number[] = [];
for (let r = 0; r < 5; r++) {
  const started = performance.now();
  for (const ip of ips) intel.lookup(ip);
  lookupRates.push(ips.length / ((performance.now() - started) / 1000));
}

console.log(
  `node ${process.version}, ${PAYLOADS} payloads x ${EVENTS_PER_PAYLOAD} CloudTrail events, median of ${ROUNDS} interleaved rounds`,
);
console.log(`floor (base64 + gunzip + JSON.parse):          ${Math.round(floorRate)} events/s`);
console.log(
  `decode + normalise (real IP database):         ${Math.round(sourceRate)} events/s = ${(sourceRate / floorRate).toFixed(2)} x floor`,
);
console.log(
  `normalisation cost:                            ${((1 / sourceRate - 1 / floorRate) * 1e6).toFixed(2)} µs/event`,
);
console.log(
  `IP database: ${(statSync(DEFAULT_IP_INTEL_PATH).size / 1024 / 1024).toFixed(2)} MiB, load ${loadMs.toFixed(0)} ms, ${Math.round(median(lookupRates))} lookups/s (ASN + country, uncached)`,
);
