import {
  DEFAULT_LIMITS,
  DIMENSIONS,
  cloneRecord,
  emptyBaseline,
  foldIdentity,
  parseRecord,
  type IdentityBaseline,
} from '../../lambdas/core/baseline';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../lambdas/core/engine';
import type { LoadedRecord } from '../../lambdas/core/ports';
import { RULES } from '../../lambdas/core/rules/index';
import { at, ev, history } from '../../lambdas/core/rules/test-events';
import {
  countInto,
  emptyRecord,
  entriesOf,
  getOwn,
  hasOwn,
  keysOf,
  recordOf,
  setOwn,
  toSafeRecord,
} from '../../lambdas/core/safe-record';
import { PROTOTYPE_NAMES, prototypeSnapshot } from '../support/prototype';

describe('SafeRecord', () => {
  it.each(PROTOTYPE_NAMES)('stores and reads %s as an ordinary key', (name) => {
    const before = prototypeSnapshot();
    const r = emptyRecord<number>();
    expect(getOwn(r, name)).toBeUndefined();
    expect(hasOwn(r, name)).toBe(false);
    setOwn(r, name, 1);
    countInto(r, name);
    expect(getOwn(r, name)).toBe(2);
    expect(keysOf(r)).toEqual([name]);
    expect(prototypeSnapshot()).toEqual(before);
  });

  it('round-trips JSON with __proto__ as data, prototype restored on decode', () => {
    const r = recordOf<number>([
      ['__proto__', 1],
      ['constructor', 2],
    ]);
    const back = toSafeRecord<number>(JSON.parse(JSON.stringify(r)));
    expect(Object.getPrototypeOf(back)).toBeNull();
    expect(entriesOf(back)).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
    ]);
    expect(getOwn(back, 'toString')).toBeUndefined();
  });

  it('decodes anything that is not a plain object as an empty record', () => {
    for (const bad of [null, 3, 'x', [1, 2], new Date(0)]) expect(keysOf(toSafeRecord(bad))).toEqual([]);
  });
});

describe('baselines keyed by observed values', () => {
  /** An event whose every observed field that becomes a key is `name`. */
  const hostile = (name: string, timeMs: number) =>
    ev({
      timeMs,
      credential: { id: name, kind: 'bearer-token' },
      origin: {
        network: name,
        country: name,
        userAgentFamily: name,
        userAgentClass: name as never,
        vpcEndpointId: name,
        awsService: name,
      },
      action: { name, targetRoleArn: name, targetAccountId: name, region: name },
      outcome: { scopes: [name, 'read'] },
    });

  it.each(PROTOTYPE_NAMES)(
    'learns %s in every dimension and credential, across a codec round trip',
    (name) => {
      const before = prototypeSnapshot();
      const b = emptyBaseline(hostile(name, at(0)));
      foldIdentity(b, hostile(name, at(0)), DEFAULT_LIMITS);
      foldIdentity(b, hostile(name, at(0, 1)), DEFAULT_LIMITS);
      const decoded = parseRecord(JSON.stringify(b)) as IdentityBaseline;
      for (const copy of [b, decoded, cloneRecord(decoded)]) {
        for (const d of ['networks', 'countries', 'uaFamilies', 'actions', 'rolesAssumed', 'scopes'] as const)
          expect(getOwn(copy.dims[d], name)?.n).toBe(2);
        const cred = getOwn(copy.credentials, name);
        expect(cred?.n).toBe(2);
        expect(Object.getPrototypeOf(copy.credentials)).toBeNull();
        for (const dim of DIMENSIONS) expect(Object.getPrototypeOf(copy.dims[dim])).toBeNull();
      }
      expect(prototypeSnapshot()).toEqual(before);
    },
  );

  it('evicts the least recently seen credential whatever its name', () => {
    const b = emptyBaseline(ev({ timeMs: at(0) }));
    const others = PROTOTYPE_NAMES.filter((n) => n !== '__proto__');
    const fill = Array.from({ length: DEFAULT_LIMITS.maxCredentials - others.length }, (_, i) => `key-${i}`);
    const ids = ['__proto__', ...others, ...fill];
    ids.forEach((id, i) =>
      foldIdentity(b, ev({ timeMs: at(0, 0, i), credential: { id, kind: 'bearer-token' } }), DEFAULT_LIMITS),
    );
    expect(keysOf(b.credentials)).toHaveLength(DEFAULT_LIMITS.maxCredentials);
    expect(hasOwn(b.credentials, '__proto__')).toBe(false);
    expect(hasOwn(b.credentials, ids[ids.length - 1]!)).toBe(true);
  });

  it.each(PROTOTYPE_NAMES)('runs every rule on a learned baseline holding %s', (name) => {
    const before = prototypeSnapshot();
    const learned = history({ credential: { id: name, kind: 'bearer-token' } });
    const first = evaluate({
      batchId: 'b1',
      events: [...learned, hostile(name, at(7, 12))],
      state: new Map(),
      rules: RULES,
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
    });
    expect(first.identityErrors).toEqual([]);
    const state = new Map<string, LoadedRecord>(
      first.changes.map((c) => [c.key, { record: parseRecord(JSON.stringify(c.record)), version: 1 }]),
    );
    const second = evaluate({
      batchId: 'b2',
      events: [hostile(name, at(8, 12)), hostile(`${name}-other`, at(8, 13))],
      state,
      rules: RULES,
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
    });
    expect(second.identityErrors).toEqual([]);
    const b = second.changes.find((c) => c.record.type === 'identity')!.record as IdentityBaseline;
    expect(getOwn(b.dims.actions, name)!.n).toBe(2);
    expect(getOwn(b.dims.actions, `${name}-other`)!.n).toBe(1);
    expect(prototypeSnapshot()).toEqual(before);
  });
});
