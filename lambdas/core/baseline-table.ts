/**
 * The one definition of the baseline table, shared by the CDK stack (lib/), the DynamoDB adapter
 * and the integration tests, so code and infrastructure cannot drift. Plain data: no AWS imports.
 *
 * Single-table design, one item per state record:
 * - `pk` (S): `id#<identity key>` for identity baselines, `src#<ip>` for per-source state,
 *   `lnk#<access key id>` for issuance links (the chain behind a session key),
 *   `pop#acct#<account>` / `pop#kind#<account>#<kind>` for population priors,
 *   `fnd#<finding id>` for finding dedup markers, `batch#<batch id>` for processed-batch markers.
 * - `ver` (N): optimistic-concurrency version; every commit is conditional on it.
 * - `body` (S / B): the record itself (JSON, gzip when large), kept under 64 KB by the baseline caps.
 * - `expiresAt` (N): epoch seconds; DynamoDB TTL removes transient items (sources, markers).
 */
export const BASELINE_TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  versionAttribute: 'ver',
  bodyAttribute: 'body',
  ttlAttribute: 'expiresAt',
  billingMode: 'PAY_PER_REQUEST',
} as const;
