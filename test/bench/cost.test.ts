import { PRICES, cpuShare, projectCost, type CostInputs } from '../../bench/cost';

const base: CostInputs = {
  eventsPerInvocation: 1000,
  invocationMs: 99.2,
  memoryMb: 1024,
  coldStartFraction: 0,
  initMs: 300,
  dynamoReadUnitsPer1000Events: 20,
  dynamoWriteUnitsPer1000Events: 40,
  freshFindingsPerMillion: 100,
  findingUpdatesPerMillion: 900,
  emailSubscribers: 2,
  cloudWatchLogsBytesPerEvent: 1000,
};
const line = (p: ReturnType<typeof projectCost>, item: string) =>
  p.lines.find((l) => l.item.startsWith(item))?.usdPerMillionEvents;

describe('projectCost', () => {
  it('bills Lambda duration in whole milliseconds at the configured memory', () => {
    const p = projectCost(base);
    // 1,000 invocations × 0.1 s × 1 GB = 100 GB-s.
    expect(line(p, 'Lambda duration')).toBeCloseTo(100 * PRICES.lambdaArmGbSecond.usd, 10);
    expect(line(p, 'Lambda requests')).toBeCloseTo(1000 * 0.2e-6, 10);
  });

  it('adds cold-start INIT time for the configured fraction of invocations', () => {
    const warm = line(projectCost(base), 'Lambda duration')!;
    const cold = line(projectCost({ ...base, coldStartFraction: 0.01 }), 'Lambda duration')!;
    // 10 cold starts × 0.3 s × 1 GB = 3 GB-s more.
    expect(cold - warm).toBeCloseTo(3 * PRICES.lambdaArmGbSecond.usd, 10);
  });

  it('prices DynamoDB units, alerts and Security Hub ingestion per million events', () => {
    const p = projectCost(base);
    expect(line(p, 'DynamoDB writes')).toBeCloseTo(40_000 * 0.625e-6, 10);
    expect(line(p, 'DynamoDB reads')).toBeCloseTo(20_000 * 0.125e-6, 10);
    expect(line(p, 'SNS publishes')).toBeCloseTo(100 * 0.5e-6, 10);
    expect(line(p, 'SNS e-mail')).toBeCloseTo(200 * 2e-5, 10);
    expect(line(p, 'Security Hub')).toBeCloseTo(1000 * 0.00003, 10);
  });

  it('keeps CloudWatch Logs ingestion out of the nhi-watch total and in the total with ingestion', () => {
    const p = projectCost(base);
    expect(line(p, 'CloudWatch Logs')).toBeCloseTo(0.5, 10); // 1 GB at $0.50
    expect(p.withLogIngestionUsdPerMillion - p.nhiWatchUsdPerMillion).toBeCloseTo(0.5, 10);
    expect(p.guardDutyUsdPerMillion).toBe(4);
    expect(p.cloudTrailInsightsUsdPerMillion).toBeCloseTo(3.5, 10);
  });

  it('rejects a non-positive batch size', () => {
    expect(() => projectCost({ ...base, eventsPerInvocation: 0 })).toThrow(RangeError);
  });
});

describe('cpuShare', () => {
  it('gives a full vCPU from 1,769 MB and a proportional share below', () => {
    expect(cpuShare(1769)).toBe(1);
    expect(cpuShare(3008)).toBe(1);
    expect(cpuShare(512)).toBeCloseTo(512 / 1769, 10);
  });
});
