/**
 * Findings to AWS Security Hub: BatchImportFindings in chunks of at most 100, fresh findings and
 * repeats alike (a repeat re-imports the same Id with its raised count and later UpdatedAt, which
 * updates the finding in place). FailedFindings and throttling / 5xx answers are retried with
 * jittered exponential backoff, a bounded number of times, on top of the SDK's own retries.
 */
import {
  BatchImportFindingsCommand,
  type AwsSecurityFinding,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';

import type { Finding } from '../core/finding.js';
import type { DeliveryFailure, FindingSink, PublishResult } from '../core/ports.js';
import { chunkBySize } from './batching.js';
import { describeError, isTransient, jitteredDelayMs, realSleep, type Sleep } from './retry.js';

/** Converts a finding to ASFF for this account and region (core/asff.ts). */
export type ToAsff = (finding: Finding, nowMs: number) => AwsSecurityFinding;

/** Security Hub sink options. */
export interface SecurityHubFindingSinkOptions {
  readonly client: SecurityHubClient;
  readonly toAsff: ToAsff;
  /** Wall clock for UpdatedAt. */
  readonly nowMs: () => number;
  /** Attempts per chunk, on top of the SDK's retries. @default 5 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

/** Security Hub's BatchImportFindings limits: findings per call, and a margin under the 6 MB request limit. */
const MAX_FINDINGS = 100;
const MAX_REQUEST_BYTES = 5_000_000;
/** FailedFindings codes that no retry can fix. */
const PERMANENT = /InvalidInput|AccessDenied|FindingSizeExceeded|InvalidAccess|Unauthorized/i;

/** Imports findings into the account's default product. */
export class SecurityHubFindingSink implements FindingSink {
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;

  constructor(private readonly options: SecurityHubFindingSinkOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.sleep = options.sleep ?? realSleep;
  }

  async publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<PublishResult> {
    const all = [...fresh, ...repeats];
    if (all.length === 0) return { delivered: 0, failed: [] };
    const now = this.options.nowMs();
    const failed: DeliveryFailure[] = [];
    const entries: { finding: Finding; asff: AwsSecurityFinding; bytes: number }[] = [];
    for (const finding of all) {
      try {
        const asff = this.options.toAsff(finding, now);
        entries.push({ finding, asff, bytes: Buffer.byteLength(JSON.stringify(asff)) });
      } catch (error) {
        failed.push(failure(finding, `cannot convert to ASFF: ${describeError(error)}`));
      }
    }
    for (const chunk of chunkBySize(entries, MAX_FINDINGS, MAX_REQUEST_BYTES, (e) => e.bytes)) {
      failed.push(...(await this.importChunk(chunk)));
    }
    return { delivered: all.length - failed.length, failed };
  }

  private async importChunk(
    chunk: readonly { finding: Finding; asff: AwsSecurityFinding }[],
  ): Promise<DeliveryFailure[]> {
    const failed: DeliveryFailure[] = [];
    let pending = chunk;
    const reasons = new Map<string, string>();
    for (let attempt = 1; pending.length > 0 && attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(jitteredDelayMs(attempt, 200, 5_000));
      try {
        const response = await this.options.client.send(
          new BatchImportFindingsCommand({ Findings: pending.map((e) => e.asff) }),
        );
        const retry = new Set<string>();
        for (const f of response.FailedFindings ?? []) {
          const id = f.Id ?? '';
          const reason = `Security Hub ${f.ErrorCode ?? 'error'}: ${f.ErrorMessage ?? ''}`.trim();
          const entry = pending.find((e) => e.asff.Id === id);
          if (!entry) continue;
          if (PERMANENT.test(f.ErrorCode ?? '')) failed.push(failure(entry.finding, reason));
          else {
            retry.add(id);
            reasons.set(id, reason);
          }
        }
        pending = pending.filter((e) => retry.has(e.asff.Id ?? ''));
      } catch (error) {
        const reason = `Security Hub BatchImportFindings failed: ${describeError(error)}`;
        for (const e of pending) reasons.set(e.asff.Id ?? '', reason);
        if (!isTransient(error)) break;
      }
    }
    for (const e of pending)
      failed.push(failure(e.finding, reasons.get(e.asff.Id ?? '') ?? 'Security Hub: not imported'));
    return failed;
  }
}

const failure = (finding: Finding, reason: string): DeliveryFailure => ({ finding, reason });
