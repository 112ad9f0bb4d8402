/**
 * State size of identity chains: 1,000 credential issuances of the kinds a real account sees
 * (GitHub Actions OIDC per repository, EKS service accounts, Lambda / EC2 service-issued
 * sessions, role chaining one and two deep), run through the production CloudTrail parser and the
 * engine, and the link records it writes measured as the DynamoDB adapter stores them (JSON, gzip
 * above 1 KB) — bytes, items and write requests per 1,000 sessions.
 *
 *   npx tsx bench/chain-state.ts [--sessions 1000]
 */
import { gzipSync } from 'node:zlib';

import type { LinkRecord } from '../lambdas/core/chains.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG, evaluate, stateKeys } from '../lambdas/core/engine.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import type { LoadedRecord } from '../lambdas/core/ports.js';
import {
  assumeRoleIssuance,
  assumedRole,
  normaliseRecord,
  webIdentityIssuance,
  type CaseRecord,
} from '../lambdas/core/rules/raw-records.js';
import { RULES } from '../lambdas/core/rules/index.js';
import { T0 } from '../lambdas/core/rules/test-events.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const sessions = arg('sessions', 1000);

/** The session mix: what each issuance is, in proportion. */
const KINDS = ['github', 'eks', 'lambda', 'ec2', 'chain-1', 'chain-2'] as const;
type Kind = (typeof KINDS)[number];

const key = (i: number, salt: number): string =>
  `ASIA${String(i).padStart(8, '0')}${String(salt).padStart(8, '0')}`;

/** The records of one session of `kind` (the issuance and, for chains, the issuances before it). */
function sessionRecords(i: number, kind: Kind): CaseRecord[] {
  const t = T0 + i * 7_000;
  const repo = `repo:octo-org/service-${i % 40}:ref:refs/heads/${i % 3 === 0 ? 'main' : `feature/change-${i}`}`;
  switch (kind) {
    case 'github':
      return [
        webIdentityIssuance(repo, 'token.actions.githubusercontent.com', {
          timeMs: t,
          role: 'ci-deployer',
          session: 'GitHubActions',
          accessKeyId: key(i, 1),
        }),
      ];
    case 'eks':
      return [
        webIdentityIssuance(
          `system:serviceaccount:team-${i % 12}:worker-${i % 5}`,
          'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
          {
            timeMs: t,
            role: `eks-worker-${i % 12}`,
            session: `botocore-session-${1_700_000_000 + i}`,
            accessKeyId: key(i, 1),
            sourceIPAddress: '3.80.10.20',
          },
        ),
      ];
    case 'lambda':
      return [
        assumeRoleIssuance('lambda.amazonaws.com', {
          timeMs: t,
          role: `fn-${i % 30}-role`,
          session: `fn-${i % 30}`,
          accessKeyId: key(i, 1),
        }),
      ];
    case 'ec2':
      return [
        assumeRoleIssuance('ec2.amazonaws.com', {
          timeMs: t,
          role: 'app-server',
          session: `i-0${(0xa1b2c3d4e5 + i).toString(16)}`,
          accessKeyId: key(i, 1),
        }),
      ];
    case 'chain-1':
    case 'chain-2': {
      const out: CaseRecord[] = [
        webIdentityIssuance(repo, 'token.actions.githubusercontent.com', {
          timeMs: t,
          role: 'ci-deployer',
          session: 'GitHubActions',
          accessKeyId: key(i, 1),
          sourceIPAddress: '3.80.10.20',
        }),
        assumeRoleIssuance(assumedRole('ci-deployer', 'GitHubActions', key(i, 1)), {
          timeMs: t + 1000,
          role: 'prod-deployer',
          session: `deploy-${i}`,
          accessKeyId: key(i, 2),
        }),
      ];
      if (kind === 'chain-2')
        out.push(
          assumeRoleIssuance(assumedRole('prod-deployer', `deploy-${i}`, key(i, 2)), {
            timeMs: t + 2000,
            role: 'OrganizationAccountAccessRole',
            session: `deploy-${i}-member`,
            accessKeyId: key(i, 3),
          }),
        );
      return out;
    }
  }
}

const events: IdentityEvent[] = [];
for (let i = 0; i < sessions; i++)
  events.push(...sessionRecords(i, KINDS[i % KINDS.length] as Kind).map(normaliseRecord));

// One engine pass over the whole set, in batches of 500 events, state carried like the store does.
const state = new Map<string, LoadedRecord>();
let writes = 0;
for (let i = 0; i < events.length; i += 500) {
  const batch = events.slice(i, i + 500);
  const loaded = new Map<string, LoadedRecord>();
  for (const k of stateKeys(batch)) {
    const r = state.get(k);
    if (r) loaded.set(k, r);
  }
  const out = evaluate({
    batchId: `b${i}`,
    events: batch,
    state: loaded,
    rules: RULES,
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
  });
  for (const c of out.changes) {
    if (c.record.type === 'link') writes += 1;
    state.set(c.key, { record: c.record, version: (c.expectedVersion ?? 0) + 1 });
  }
}

const links = [...state.values()].map((l) => l.record).filter((r): r is LinkRecord => r.type === 'link');
let jsonBytes = 0;
let storedBodyBytes = 0;
let itemBytes = 0;
let gzipped = 0;
for (const link of links) {
  const json = JSON.stringify(link);
  const raw = Buffer.byteLength(json);
  jsonBytes += raw;
  const body = raw > 1024 ? gzipSync(json).length : raw;
  if (raw > 1024) gzipped += 1;
  storedBodyBytes += body;
  // DynamoDB item size: attribute names + values (pk, ver, body, kind, expiresAt).
  itemBytes += 2 + Buffer.byteLength(`lnk#${link.accessKeyId}`) + 3 + 2 + 4 + body + 4 + 4 + 9 + 10;
}
const per1000 = (n: number): string => (((n / sessions) * 1000) / 1024).toFixed(1);
const depth = (n: number): number => links.filter((l) => l.chain.hops.length === n).length;

console.log(`identity chains: state for ${sessions} sessions (mix ${KINDS.join(', ')})`);
console.log(`  links written            ${links.length} (${writes} PutItem; one per issuance, none per use)`);
console.log(`  chain depth 1 / 2 / 3    ${depth(1)} / ${depth(2)} / ${depth(3)}`);
console.log(`  JSON per link            ${(jsonBytes / links.length).toFixed(0)} B average`);
console.log(
  `  stored body per link     ${(storedBodyBytes / links.length).toFixed(0)} B average (${gzipped} gzipped above 1 KB)`,
);
console.log(
  `  per 1,000 sessions       ${per1000(jsonBytes)} KiB JSON, ${per1000(storedBodyBytes)} KiB stored bodies, ${per1000(itemBytes)} KiB DynamoDB items`,
);
console.log(
  `  write units per 1,000    ${Math.round((links.reduce((n, l) => n + Math.ceil(Math.max(1, Buffer.byteLength(JSON.stringify(l)) > 1024 ? gzipSync(JSON.stringify(l)).length : Buffer.byteLength(JSON.stringify(l))) / 1024), 0) / sessions) * 1000)} WCU (1 KB each)`,
);
console.log('  every link expires with its credential (DynamoDB TTL: write + lifetime ≤ 36 h + 1 h)');
