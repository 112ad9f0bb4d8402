/**
 * Collects generated events from every workload and attack, then returns them in time order with
 * their labels. Ties keep emission order, so the output depends only on the seed.
 */
import type { ApiGatewayAccessLogLine, CloudTrailRecord, Label, SimulatedRuleId } from './types.js';

/** The label fields an attack attaches to each of its events. */
export interface LabelSpec {
  readonly rule: SimulatedRuleId;
  readonly technique: string;
  readonly attackId: string;
  readonly identityKey?: string;
  readonly signal: boolean;
}

interface Timed<T> {
  readonly timeMs: number;
  readonly seq: number;
  readonly item: T;
  readonly label: LabelSpec | undefined;
}

/** Accumulates events; `finish()` sorts them and derives label rows. */
export class TrafficSink {
  private readonly trail: Timed<CloudTrailRecord>[] = [];
  private readonly access: Timed<ApiGatewayAccessLogLine>[] = [];
  private seq = 0;

  /** Add a CloudTrail record (labelled when `label` is given). */
  cloudTrail(timeMs: number, record: CloudTrailRecord, label?: LabelSpec): void {
    this.trail.push({ timeMs, seq: this.seq++, item: record, label });
  }

  /** Add an API Gateway access-log line (labelled when `label` is given). */
  apiGateway(timeMs: number, line: ApiGatewayAccessLogLine, label?: LabelSpec): void {
    this.access.push({ timeMs, seq: this.seq++, item: line, label });
  }

  /** Sorted events, and one label row per labelled event in the same order. */
  finish(): {
    cloudtrail: CloudTrailRecord[];
    apiGateway: ApiGatewayAccessLogLine[];
    labels: Label[];
    labelTimes: number[];
  } {
    const byTime = <T>(left: Timed<T>, right: Timed<T>): number =>
      left.timeMs - right.timeMs || left.seq - right.seq;
    this.trail.sort(byTime);
    this.access.sort(byTime);
    const rows: { timeMs: number; seq: number; label: Label }[] = [];
    for (const entry of this.trail) {
      if (entry.label)
        rows.push({
          timeMs: entry.timeMs,
          seq: entry.seq,
          label: toLabel(entry.item.eventID, 'cloudtrail', entry.label),
        });
    }
    for (const entry of this.access) {
      if (entry.label)
        rows.push({
          timeMs: entry.timeMs,
          seq: entry.seq,
          label: toLabel(entry.item.requestId, 'api-gateway', entry.label),
        });
    }
    rows.sort((left, right) => left.timeMs - right.timeMs || left.seq - right.seq);
    return {
      cloudtrail: this.trail.map((entry) => entry.item),
      apiGateway: this.access.map((entry) => entry.item),
      labels: rows.map((row) => row.label),
      labelTimes: rows.map((row) => row.timeMs),
    };
  }
}

const toLabel = (eventId: string, source: Label['source'], spec: LabelSpec): Label => ({
  eventId,
  source,
  rule: spec.rule,
  technique: spec.technique,
  attackId: spec.attackId,
  ...(spec.identityKey === undefined ? {} : { identityKey: spec.identityKey }),
  signal: spec.signal,
});
