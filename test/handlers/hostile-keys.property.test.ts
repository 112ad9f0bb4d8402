/**
 * Attacker-chosen strings — arbitrary ones and every `Object.prototype` member name — in every
 * observed field of both sources, through the production handler factories (`createHandler` with
 * the real pipeline, rules and normalisers over memory ports): no throw, no failed identity,
 * `Object.prototype` unchanged, and each value learned like any other (present in the stored
 * baseline, also after a round trip through the record codec).
 */
import fc from 'fast-check';

import type { IdentityBaseline } from '../../lambdas/core/baseline';
import { DEFAULT_ENGINE_CONFIG } from '../../lambdas/core/engine';
import type { IdentityEvent } from '../../lambdas/core/identity-event';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import { RULES } from '../../lambdas/core/rules/index';
import { getOwn } from '../../lambdas/core/safe-record';
import { decodeCloudWatchLogsEvent } from '../../lambdas/core/sources/cloudwatch-logs';
import { eventsOfDelivery } from '../../lambdas/core/sources/log-delivery';
import { plausibleWindow } from '../../lambdas/core/sources/time-window';
import {
  createHandler as createApiGatewayHandler,
  normaliseAccessLogLine,
} from '../../lambdas/handlers/api-gateway-logs';
import {
  createHandler as createCloudTrailHandler,
  normaliseCloudTrailLine,
} from '../../lambdas/handlers/cloudtrail-logs';
import type { LineNormaliser } from '../../lambdas/handlers/pipeline-handler';
import { subscriptionEvent } from '../support/cloudwatch-logs';
import { memoryHandlerDeps, TEST_INTEL, type MemoryHandlerWorld } from '../support/memory-handler';
import { apiLine, cloudTrailLine, expectLearned, T } from '../support/hostile-lines';
import { prototypeSnapshot } from '../support/prototype';

/** Learn immediately, so "first seen" rules also run against the hostile values. */
const CONFIG = { ...DEFAULT_ENGINE_CONFIG, learning: { learningPeriodSeconds: 0, learningMinEvents: 1 } };

/**
 * The events the handler folds from these lines: through `eventsOfDelivery`, as the handler does, so
 * secret-shaped values arrive scrubbed (a generated "PwD:*" is stored as "PwD:[redacted:…]").
 */
function eventsOf(lines: readonly string[], normalise: LineNormaliser): IdentityEvent[] {
  const decoded = decodeCloudWatchLogsEvent(subscriptionEvent(lines, { startMs: T }));
  if (!decoded.ok) throw new Error(decoded.reason);
  return [...eventsOfDelivery(decoded.value, normalise, TEST_INTEL, plausibleWindow(Date.now())).events];
}

const sources = [
  { name: 'API Gateway', line: apiLine, create: createApiGatewayHandler, normalise: normaliseAccessLogLine },
  {
    name: 'CloudTrail',
    line: cloudTrailLine,
    create: createCloudTrailHandler,
    normalise: normaliseCloudTrailLine,
  },
] as const;

describe.each(sources)('$name handler with hostile field values', ({ line, create, normalise }) => {
  it('never throws, fails no identity, leaves Object.prototype alone, learns every value', async () => {
    const before = prototypeSnapshot();
    let accepted = 0;
    let lineCount = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 4 }), async (lines) => {
        const world = memoryHandlerDeps({ config: CONFIG });
        const handler = create(world.deps);
        const events = eventsOf(lines, normalise);
        // Twice: the second batch evaluates against what the first stored (learned values read back).
        const first = await handler(subscriptionEvent(lines, { startMs: T }));
        const second = await handler(subscriptionEvent(lines, { startMs: T + 60_000 }));
        expect([first.identityErrors, second.identityErrors]).toEqual([0, 0]);
        expect(first.events).toBe(events.length);
        accepted += events.length;
        lineCount += lines.length;
        expectLearned(world.store.records, events);
        expect(prototypeSnapshot()).toEqual(before);
      }),
      { numRuns: 60 },
    );
    // The hostile values reached the engine: most lines are accepted events, not rejects.
    expect(accepted).toBeGreaterThan(lineCount / 2);
  });
});

describe('a delivery with a poisoned identity', () => {
  const innocents = Array.from({ length: 9 }, (_, i) =>
    JSON.stringify({
      requestId: `r-${i}`,
      requestTimeEpoch: String(T + i),
      apiId: 'a1b2c3d4e5',
      stage: 'prod',
      httpMethod: 'GET',
      resourcePath: '/orders',
      status: '200',
      sourceIp: '198.51.100.7',
      userAgent: 'okhttp/4.12.0',
      sub: `client-${i}`,
      clientId: `client-${i}`,
      jti: `token-${i}`,
      scope: 'orders/read',
    }),
  );
  const poisoned = JSON.stringify({
    requestId: 'r-p',
    requestTimeEpoch: String(T),
    apiId: 'a1b2c3d4e5',
    stage: 'prod',
    httpMethod: 'GET',
    resourcePath: '/orders',
    status: '200',
    sourceIp: '198.51.100.7',
    userAgent: 'okhttp/4.12.0',
    sub: 'constructor',
    clientId: 'constructor',
    jti: '__proto__',
    scope: 'toString __proto__',
  });
  const payload = subscriptionEvent([poisoned, ...innocents], { startMs: T });
  const identityKeys = (w: MemoryHandlerWorld) =>
    [...w.store.records.values()].filter((r) => r.record.type === 'identity').map((r) => r.record.key);

  it('a __proto__ jti is learned like any other: all 10 identities stored and alerted', async () => {
    const before = prototypeSnapshot();
    const noisy: DetectionRule = {
      ...RULES[0]!,
      id: 'every-call',
      needsLearning: false,
      detect: () => ({ discriminator: 'x', summary: 'call', evidence: [] }),
    };
    const world = memoryHandlerDeps({ rules: [noisy] });
    const summary = await createApiGatewayHandler(world.deps)(payload);
    expect(summary.identityErrors).toBe(0);
    expect(identityKeys(world)).toHaveLength(10);
    expect(world.alerted).toHaveLength(10);
    const p = [...world.store.records.values()].find((r) => r.record.key.includes('constructor'))!
      .record as IdentityBaseline;
    expect(getOwn(p.credentials, '__proto__')?.n).toBe(1);
    expect(getOwn(p.dims.scopes, 'toString')?.n).toBe(1);
    expect(prototypeSnapshot()).toEqual(before);
  });

  it('an identity whose evaluation throws is contained: 9 stored and alerted, metric and escaped log line', async () => {
    const fragile: DetectionRule = {
      ...RULES[0]!,
      id: 'fragile',
      needsLearning: false,
      detect: (e) => {
        if (e.credential.id === '__proto__') throw new TypeError('boom');
        return { discriminator: 'x', summary: 'call', evidence: [] };
      },
    };
    const world = memoryHandlerDeps({ rules: [fragile] });
    const handler = createApiGatewayHandler(world.deps);
    const summary = await handler(payload);
    expect(summary.identityErrors).toBe(1);
    expect(summary.identityErrorReasons).toEqual({ 'rule:fragile threw TypeError': 1 });
    expect(identityKeys(world)).toHaveLength(9);
    expect(world.alerted).toHaveLength(9);
    expect(world.metrics.get('IdentityErrors')).toBe(1);
    const logged = world.logs.filter((l) => l.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.attributes).toMatchObject({ reason: 'rule:fragile threw TypeError', events: 1 });
    expect(String(logged[0]!.attributes['identityKey'])).toContain('constructor');

    // Redelivered (the platform's retry of the same payload): nothing stored or alerted twice.
    const again = await handler(payload);
    expect(again.identityErrors).toBe(1);
    expect(again.redelivered).toBe(9);
    expect(world.alerted).toHaveLength(9);
  });
});
