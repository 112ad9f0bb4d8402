/**
 * The stored body format of state records: every format ever written stays readable, and the
 * preset dictionary (part of the format) cannot change unnoticed.
 */
import { gzipSync } from 'node:zlib';

import { compressRecordJson, recordJsonOf, RECORD_DICTIONARY_V1 } from '../../lambdas/adapters/record-codec';
import {
  batchTag,
  DEFAULT_LIMITS,
  emptyBaseline,
  foldIdentity,
  parseRecord,
} from '../../lambdas/core/baseline';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../lambdas/core/engine';
import type { LoadedRecord } from '../../lambdas/core/ports';
import { at, ev } from '../../lambdas/core/rules/test-events';

const record = (): string => {
  const b = emptyBaseline(ev({ timeMs: at(0) }));
  for (let i = 0; i < 50; i++) foldIdentity(b, ev({ timeMs: at(0, 1, i), eventId: `e${i}` }), DEFAULT_LIMITS);
  return JSON.stringify(b);
};

describe('record bodies', () => {
  it('round-trips a record through the dictionary format, much smaller than gzip', () => {
    const json = record();
    const packed = compressRecordJson(json);
    expect(recordJsonOf({ B: packed })).toBe(json);
    expect(packed.length).toBeLessThan(gzipSync(json).length * 0.8);
  });

  it('still reads the formats written before: JSON text and gzip', () => {
    const json = record();
    expect(recordJsonOf({ S: json })).toBe(json);
    expect(recordJsonOf({ B: gzipSync(json) })).toBe(json);
  });

  it('pins the dictionary: its Adler-32 is what every stored body names in its header', () => {
    const packed = compressRecordJson('{}');
    expect(packed.readUInt32BE(2).toString(16)).toBe('e4c1bb84');
    expect(RECORD_DICTIONARY_V1.length).toBe(4803);
  });

  it('refuses a body it cannot read instead of returning garbage', () => {
    expect(() => recordJsonOf({ B: Buffer.from('not a body') })).toThrow();
    expect(() => recordJsonOf(undefined)).toThrow();
  });
});

describe('batch tags', () => {
  const delivery = 'a'.repeat(40) + '0123456789abcdef01234567';
  const backfill = `backfill:${'b'.repeat(32)}`;

  it('remembers long ids by a short tag, backfill apart, short ids as they are; tagging a tag changes nothing', () => {
    expect(batchTag(delivery)).toHaveLength(13);
    expect(batchTag(backfill)).toMatch(/^bf:.{12}$/);
    expect(batchTag('live-1')).toBe('live-1');
    expect(batchTag(batchTag(delivery))).toBe(batchTag(delivery));
    expect(batchTag(delivery)).not.toBe(batchTag(`${delivery.slice(0, -1)}8`));
  });

  it('recognises a redelivery of a batch that a record written before tags remembers by its full id', () => {
    const b = emptyBaseline(ev({ timeMs: at(0) }));
    foldIdentity(b, ev({ timeMs: at(0) }), DEFAULT_LIMITS);
    b.batches = [delivery];
    const stored = parseRecord(JSON.stringify(b));
    expect(stored.batches).toEqual([batchTag(delivery)]);
    const state = new Map<string, LoadedRecord>([[b.key, { record: stored, version: 1 }]]);
    const out = evaluate({
      batchId: delivery,
      events: [ev({ timeMs: at(0), eventId: 'again' })],
      state,
      rules: [],
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
    });
    expect(out.stats.redelivered).toBe(1);
    expect(out.changes.find((c) => c.key === b.key)).toBeUndefined();
  });
});
