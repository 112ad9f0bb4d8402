/**
 * Alerts on SNS: one message per fresh finding (PublishBatch, 10 a request), or digest messages
 * when a batch yields more than `digestThreshold` fresh findings, so a burst does not flood
 * subscribers. Repeats never alert: they only update Security Hub. Each message carries message
 * attributes (severity, ruleId, identity, account) so subscribers can filter.
 *
 * Messages are published with a per-protocol structure (`MessageStructure: 'json'`): e-mail
 * subscribers get the readable text, SMS the subject line, and every other protocol (SQS, Lambda,
 * HTTP/S, Firehose, `email-json`) the finding (or digest) JSON alone, ready to parse.
 */
import {
  PublishBatchCommand,
  PublishCommand,
  type MessageAttributeValue,
  type SNSClient,
} from '@aws-sdk/client-sns';

import type { RenderedAlert, SnsStringAttribute } from '../core/alert.js';
import type { Finding } from '../core/finding.js';
import type { DeliveryFailure, FindingSink, PublishResult } from '../core/ports.js';
import { chunkBySize } from './batching.js';
import { describeError, isTransient, jitteredDelayMs, realSleep, type Sleep } from './retry.js';

/** Renders findings to SNS messages (core/alert.ts): one per finding, or digests for a burst. */
export interface AlertRenderer {
  alert(finding: Finding): RenderedAlert;
  /** Digest messages covering all `findings` (each under the SNS size limit). */
  digest(findings: readonly Finding[]): RenderedAlert[];
}

/** Separates the readable body from the finding JSON in a single-text message; subscribers split on it. */
export const FINDING_JSON_SEPARATOR = '\n---- finding JSON ----\n';

/**
 * The single text of a message too large for a per-protocol structure (every protocol gets it): the
 * readable body, then the finding (or digest) JSON.
 */
export const messageText = (alert: RenderedAlert): string =>
  `${alert.body.trimEnd()}\n${FINDING_JSON_SEPARATOR}${alert.json}\n`;

/** Split a single-text message back into its body and its JSON. */
export function splitMessage(message: string): { body: string; json: string } | undefined {
  const at = message.lastIndexOf(FINDING_JSON_SEPARATOR);
  return at < 0
    ? undefined
    : { body: message.slice(0, at), json: message.slice(at + FINDING_JSON_SEPARATOR.length).trim() };
}

/** The e-mail text: the readable body and where the machine-readable finding goes. */
const emailText = (alert: RenderedAlert): string =>
  `${alert.body.trimEnd()}\n\nThe finding as JSON goes to this topic's SQS, Lambda and HTTPS subscriptions.\n`;

/** What one message is published as: `Message` and, when it fits, `MessageStructure`. */
export interface SnsMessage {
  readonly Message: string;
  readonly MessageStructure?: 'json';
}

/**
 * The message for an alert: per protocol (`default` the JSON, `email` the text, `sms` the subject),
 * or — when escaping the JSON into the structure would pass SNS's 256 KB limit — the single text.
 */
export function snsMessage(alert: RenderedAlert): SnsMessage {
  const structure = JSON.stringify({ default: alert.json, email: emailText(alert), sms: alert.subject });
  return Buffer.byteLength(structure) <= SNS_MAX_BYTES - STRUCTURE_HEADROOM_BYTES
    ? { Message: structure, MessageStructure: 'json' }
    : { Message: messageText(alert) };
}

/** SNS sink options. */
export interface SnsFindingSinkOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
  readonly render: AlertRenderer;
  /** More fresh findings than this in one batch are sent as digests. @default 10 */
  readonly digestThreshold?: number;
  /** Attempts per message, on top of the SDK's own retries. @default 3 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

/** SNS's limit on a message and on a PublishBatch request (bytes). */
export const SNS_MAX_BYTES = 262_144;
/** Room left in a message for its subject and attributes. */
const STRUCTURE_HEADROOM_BYTES = 16_384;
const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** Force a subject into SNS's rules: ASCII printable, one line, under 100 characters. */
export function safeSubject(subject: string): string {
  const ascii = subject
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const cut = ascii.length > 99 ? `${ascii.slice(0, 96)}...` : ascii;
  return cut === '' ? 'nhi-watch finding' : cut;
}

/** SNS message attributes: non-empty values only (SNS rejects empty ones). */
function attributes(
  attrs: Readonly<Record<string, SnsStringAttribute>>,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(attrs))
    if (v.StringValue !== '') out[k] = { DataType: v.DataType, StringValue: v.StringValue };
  return out;
}

const messageBytes = (m: RenderedAlert, message: SnsMessage): number =>
  Buffer.byteLength(message.Message) +
  Buffer.byteLength(m.subject) +
  Object.entries(m.attributes).reduce((n, [k, v]) => n + k.length + v.StringValue.length + 16, 0);

/** Publishes fresh findings to an SNS topic. */
export class SnsFindingSink implements FindingSink {
  private readonly digestThreshold: number;
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;

  constructor(private readonly options: SnsFindingSinkOptions) {
    if (!SNS_ARN.test(options.topicArn))
      throw new TypeError(`SnsFindingSink: ${JSON.stringify(options.topicArn)} is not an SNS topic ARN`);
    this.digestThreshold = options.digestThreshold ?? 10;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.sleep = options.sleep ?? realSleep;
  }

  async publish(fresh: readonly Finding[], _repeats: readonly Finding[]): Promise<PublishResult> {
    if (fresh.length === 0) return { delivered: 0, failed: [] };
    const failed =
      fresh.length > this.digestThreshold ? await this.publishDigests(fresh) : await this.publishEach(fresh);
    return { delivered: fresh.length - failed.length, failed };
  }

  /** One message per finding, PublishBatch of up to 10 (and 256 KB); failed entries retried. */
  private async publishEach(findings: readonly Finding[]): Promise<DeliveryFailure[]> {
    const entries = findings.map((finding, i) => {
      const message = this.options.render.alert(finding);
      return { id: String(i), finding, message, sns: snsMessage(message) };
    });
    const failed: DeliveryFailure[] = [];
    for (const batch of chunkBySize(entries, 10, SNS_MAX_BYTES - 4096, (e) =>
      messageBytes(e.message, e.sns),
    )) {
      let pending = batch;
      let lastReason = '';
      for (let attempt = 1; pending.length > 0 && attempt <= this.maxAttempts; attempt++) {
        if (attempt > 1) await this.sleep(jitteredDelayMs(attempt, 100));
        try {
          const response = await this.options.client.send(
            new PublishBatchCommand({
              TopicArn: this.options.topicArn,
              PublishBatchRequestEntries: pending.map((e) => ({
                Id: e.id,
                Subject: safeSubject(e.message.subject),
                ...e.sns,
                MessageAttributes: attributes(e.message.attributes),
              })),
            }),
          );
          const retry = new Set<string>();
          for (const f of response.Failed ?? []) {
            const entry = pending.find((e) => e.id === f.Id);
            if (!entry) continue;
            const reason = `SNS ${f.Code ?? 'error'}: ${f.Message ?? ''}`.trim();
            if (f.SenderFault) failed.push(failure(entry.finding, reason));
            else {
              retry.add(entry.id);
              lastReason = reason;
            }
          }
          pending = pending.filter((e) => retry.has(e.id));
        } catch (error) {
          lastReason = `SNS PublishBatch failed: ${describeError(error)}`;
          if (!isTransient(error)) break;
        }
      }
      for (const e of pending) failed.push(failure(e.finding, lastReason));
    }
    return failed;
  }

  /** Digest messages; if any cannot be published, every finding fails (redriving one twice beats losing one). */
  private async publishDigests(findings: readonly Finding[]): Promise<DeliveryFailure[]> {
    const reasons: string[] = [];
    for (const digest of this.options.render.digest(findings)) {
      const reason = await this.publishOne(digest);
      if (reason !== undefined) reasons.push(reason);
    }
    return reasons.length === 0 ? [] : findings.map((f) => failure(f, `SNS digest: ${reasons.join('; ')}`));
  }

  private async publishOne(m: RenderedAlert): Promise<string | undefined> {
    let reason = 'not attempted';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(jitteredDelayMs(attempt, 100));
      try {
        await this.options.client.send(
          new PublishCommand({
            TopicArn: this.options.topicArn,
            Subject: safeSubject(m.subject),
            ...snsMessage(m),
            MessageAttributes: attributes(m.attributes),
          }),
        );
        return undefined;
      } catch (error) {
        reason = `SNS Publish failed: ${describeError(error)}`;
        if (!isTransient(error)) break;
      }
    }
    return reason;
  }
}

const failure = (finding: Finding, reason: string): DeliveryFailure => ({ finding, reason });
