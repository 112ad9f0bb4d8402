import { newSource } from '../../../lambdas/core/rules/new-source';
import { findCase, replay } from './replay-case';

describe('new-source findings', () => {
  it('name the new country, the new origin and the ASNs seen before', () => {
    const [f, ...rest] = replay(
      newSource,
      findCase(newSource, 'Lambda role (AWS only) then a call from DigitalOcean'),
    );
    expect(rest).toHaveLength(0);
    expect(f?.discriminator).toBe('country:NL');
    expect(f?.evidence[0]).toContain('AS14061 (DigitalOcean, LLC), NL');
    expect(f?.evidence[1]).toBe('ASNs seen before: AS14618 (Amazon) 320 calls');
  });

  it('report a roaming identity’s new ASN by that ASN once the known-ASN cap is raised', () => {
    const c = findCase(newSource, 'the same roaming API client with maxKnownAsns raised to 20');
    expect(replay(newSource, c).map((f) => f.discriminator)).toEqual(['asn:12322']);
  });
});
