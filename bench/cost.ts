/**
 * Cost model: projected USD per million events for nhi-watch on AWS, from measured figures
 * (Lambda duration per batch, DynamoDB units per 1,000 events, findings per million events) and
 * published us-east-1 prices, beside GuardDuty's and CloudTrail Insights' prices for the same
 * events. Every price and every assumption is written here, with where it came from.
 */

/** A published unit price and where it was read. */
export interface Price {
  readonly usd: number;
  /** What one `usd` buys. */
  readonly per: string;
  readonly source: string;
  /** False when the figure could not be checked against a page and is taken as assumed. */
  readonly isVerified: boolean;
}

/** us-east-1 list prices used by the model (no free tiers, no savings plans, first pricing tier). */
export const PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second, arm64, first 7.5 billion GB-s a month',
    source:
      'https://aws.amazon.com/lambda/pricing/ (tier table as quoted by https://cloudchipr.com/blog/aws-lambda-pricing)',
    isVerified: true,
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    per: 'request',
    source: 'https://aws.amazon.com/lambda/pricing/',
    isVerified: true,
  },
  dynamoWriteRequestUnit: {
    usd: 0.625 / 1e6,
    per: 'write request unit, on-demand, standard table class (after the Nov 2024 50 % reduction)',
    source:
      'https://aws.amazon.com/dynamodb/pricing/on-demand/ (figure quoted by https://airbyte.com/data-engineering-resources/dynamodb-pricing)',
    isVerified: true,
  },
  dynamoReadRequestUnit: {
    usd: 0.125 / 1e6,
    per: 'read request unit, on-demand, standard table class',
    source:
      'https://aws.amazon.com/dynamodb/pricing/on-demand/ (figure quoted by https://airbyte.com/data-engineering-resources/dynamodb-pricing)',
    isVerified: true,
  },
  snsPublish: {
    usd: 0.5 / 1e6,
    per: 'standard-topic publish (64 KB chunk)',
    source: 'https://aws.amazon.com/sns/pricing/ (quoted by factualminds.com SNS pricing article)',
    isVerified: true,
  },
  snsEmailDelivery: {
    usd: 2 / 1e5,
    per: 'e-mail delivery',
    source: 'https://aws.amazon.com/sns/pricing/ (quoted by factualminds.com SNS pricing article)',
    isVerified: true,
  },
  securityHubFindingIngestion: {
    usd: 0.00003,
    per: 'finding ingestion event after the first 10,000 / account / region / month',
    source:
      'https://aws.amazon.com/security-hub/pricing/ (Security Hub CSPM finding ingestion, quoted in an AWS GCR security cost guide)',
    isVerified: true,
  },
  cloudWatchLogsIngestionGb: {
    usd: 0.5,
    per: 'GB ingested, standard log class',
    source:
      'https://aws.amazon.com/cloudwatch/pricing/ (quoted by several cost guides, e.g. hykell.com, c3x.dev)',
    isVerified: true,
  },
  guardDutyCloudTrailMillion: {
    usd: 4.0,
    per: 'million CloudTrail management events analysed (first tier)',
    source:
      'https://aws.amazon.com/guardduty/pricing/ (transcribed in api-evangelist amazon-guardduty-plans-pricing.yml)',
    isVerified: true,
  },
  cloudTrailInsights100k: {
    usd: 0.35,
    per: '100,000 events analysed per Insights type',
    source:
      'https://aws.amazon.com/cloudtrail/pricing/ (page not retrievable here; Insights cost mechanics from https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-costs.html)',
    isVerified: false,
  },
} as const satisfies Record<string, Price>;

/** Prices the model reads (the defaults above, or overrides for another region / date). */
export type PriceTable = { readonly [K in keyof typeof PRICES]: Price };

/** Measured and assumed inputs of the model. */
export interface CostInputs {
  /** Events per Lambda invocation (CloudWatch Logs batches). */
  readonly eventsPerInvocation: number;
  /** Billed duration of one warm invocation of that size, in ms (rounded up to 1 ms by Lambda). */
  readonly invocationMs: number;
  /** Configured Lambda memory, MB. */
  readonly memoryMb: number;
  /** Cold starts per invocation (fraction). Lambda bills the INIT phase too. */
  readonly coldStartFraction: number;
  /** Billed INIT duration of a cold start, ms. */
  readonly initMs: number;
  readonly dynamoReadUnitsPer1000Events: number;
  readonly dynamoWriteUnitsPer1000Events: number;
  /** Findings first seen (one alert each) per million events. */
  readonly freshFindingsPerMillion: number;
  /** Repeat updates of known findings per million events (Security Hub re-imports, no alert). */
  readonly findingUpdatesPerMillion: number;
  /** SNS e-mail subscriptions on the alert topic. */
  readonly emailSubscribers: number;
  /** Average bytes per event ingested into CloudWatch Logs (message + 26 bytes of per-event overhead). */
  readonly cloudWatchLogsBytesPerEvent: number;
}

/** One line of the projection. */
export interface CostLine {
  readonly item: string;
  readonly usdPerMillionEvents: number;
  /** How the figure was computed, in words and numbers. */
  readonly basis: string;
}

/** The projection per million events. */
export interface CostProjection {
  readonly lines: readonly CostLine[];
  /** nhi-watch itself: Lambda, DynamoDB, SNS, Security Hub. */
  readonly nhiWatchUsdPerMillion: number;
  /** Plus CloudWatch Logs ingestion of the CloudTrail events (zero if the trail already delivers to CloudWatch Logs). */
  readonly withLogIngestionUsdPerMillion: number;
  readonly guardDutyUsdPerMillion: number;
  /** One Insights type (API call rate or error rate); both types analyse write events twice. */
  readonly cloudTrailInsightsUsdPerMillion: number;
}

const MILLION = 1e6;

/** Project the cost of one million events. Pure arithmetic over the inputs and the price table. */
export function projectCost(inputs: CostInputs, prices: PriceTable = PRICES): CostProjection {
  if (inputs.eventsPerInvocation <= 0) throw new RangeError('eventsPerInvocation must be positive');
  const invocations = MILLION / inputs.eventsPerInvocation;
  const gb = inputs.memoryMb / 1024;
  const billedMs = Math.ceil(inputs.invocationMs);
  const warmGbSeconds = invocations * (billedMs / 1000) * gb;
  const coldGbSeconds = invocations * inputs.coldStartFraction * (Math.ceil(inputs.initMs) / 1000) * gb;
  const wru = (inputs.dynamoWriteUnitsPer1000Events * MILLION) / 1000;
  const rru = (inputs.dynamoReadUnitsPer1000Events * MILLION) / 1000;
  const ingestions = inputs.freshFindingsPerMillion + inputs.findingUpdatesPerMillion;
  const logGb = (inputs.cloudWatchLogsBytesPerEvent * MILLION) / 1e9;

  const lines: CostLine[] = [
    {
      item: 'Lambda duration',
      usdPerMillionEvents: (warmGbSeconds + coldGbSeconds) * prices.lambdaArmGbSecond.usd,
      basis: `${fmt(invocations)} invocations × ${billedMs} ms × ${fmt(gb)} GB + ${fmt(inputs.coldStartFraction * 100)} % cold starts × ${Math.ceil(inputs.initMs)} ms = ${fmt(warmGbSeconds + coldGbSeconds)} GB-s`,
    },
    {
      item: 'Lambda requests',
      usdPerMillionEvents: invocations * prices.lambdaRequest.usd,
      basis: `${fmt(invocations)} invocations`,
    },
    {
      item: 'DynamoDB writes',
      usdPerMillionEvents: wru * prices.dynamoWriteRequestUnit.usd,
      basis: `${fmt(inputs.dynamoWriteUnitsPer1000Events)} WRU / 1,000 events → ${fmt(wru)} WRU`,
    },
    {
      item: 'DynamoDB reads',
      usdPerMillionEvents: rru * prices.dynamoReadRequestUnit.usd,
      basis: `${fmt(inputs.dynamoReadUnitsPer1000Events)} RRU / 1,000 events → ${fmt(rru)} RRU`,
    },
    {
      item: 'SNS publishes',
      usdPerMillionEvents: inputs.freshFindingsPerMillion * prices.snsPublish.usd,
      basis: `${fmt(inputs.freshFindingsPerMillion)} alerts`,
    },
    {
      item: 'SNS e-mail',
      usdPerMillionEvents:
        inputs.freshFindingsPerMillion * inputs.emailSubscribers * prices.snsEmailDelivery.usd,
      basis: `${fmt(inputs.freshFindingsPerMillion)} alerts × ${inputs.emailSubscribers} subscriber(s)`,
    },
    {
      item: 'Security Hub ingestion',
      usdPerMillionEvents: ingestions * prices.securityHubFindingIngestion.usd,
      basis: `${fmt(inputs.freshFindingsPerMillion)} new + ${fmt(inputs.findingUpdatesPerMillion)} updates (free tier ignored)`,
    },
  ];
  const nhiWatch = lines.reduce((a, l) => a + l.usdPerMillionEvents, 0);
  const logLine: CostLine = {
    item: 'CloudWatch Logs ingestion (CloudTrail → log group)',
    usdPerMillionEvents: logGb * prices.cloudWatchLogsIngestionGb.usd,
    basis: `${fmt(inputs.cloudWatchLogsBytesPerEvent)} B / event → ${fmt(logGb)} GB`,
  };
  return {
    lines: [...lines, logLine],
    nhiWatchUsdPerMillion: nhiWatch,
    withLogIngestionUsdPerMillion: nhiWatch + logLine.usdPerMillionEvents,
    guardDutyUsdPerMillion: prices.guardDutyCloudTrailMillion.usd,
    cloudTrailInsightsUsdPerMillion: prices.cloudTrailInsights100k.usd * 10,
  };
}

/** Assumptions the model cannot measure on this machine, with their defaults. */
export const COST_ASSUMPTIONS = {
  /** The memory the CDK stack configures for the subscribers (lib/config.ts `functions.memoryMb` default). */
  memoryMb: 1024,
  /** CloudWatch Logs subscription deliveries of busy CloudTrail log groups carry hundreds to thousands of events; 1,000 is the benchmark delivery. */
  eventsPerInvocation: 1000,
  /** A steadily fed subscriber keeps its environments warm; one cold start per 1,000 invocations. */
  coldStartFraction: 0.001,
  emailSubscribers: 1,
  /**
   * Lambda gives a function a full vCPU at 1,769 MB and a proportional share below; the handler's
   * CPU time measured here (one core of this machine) is divided by that share. Graviton (arm64)
   * is assumed as fast per core as this machine.
   */
  cpuShareAt1769Mb: 1,
} as const;

/** Lambda's CPU share at a memory size (a full vCPU at 1,769 MB, proportional below). */
export const cpuShare = (memoryMb: number): number => Math.min(1, memoryMb / 1769);

function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: n >= 100 ? 0 : n >= 1 ? 2 : 4 });
}
