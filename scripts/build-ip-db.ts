/**
 * Compile the npm-shipped IP data (`@ip-location-db/asn`) into `data/ip-intel.bin` (or the path
 * given as the first argument). Run by `npm run build:ipdb`; the loader also runs it on first use.
 */
import { buildIpIntelFile, DEFAULT_IP_INTEL_PATH } from '../lambdas/adapters/ip-intel-db.js';

const out = process.argv[2] ?? DEFAULT_IP_INTEL_PATH;
const started = performance.now();
const result = buildIpIntelFile(out);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `wrote ${result.path}: ${(result.bytes / 1024 / 1024).toFixed(2)} MiB from ${result.sourceTag} in ${seconds} s`,
);
