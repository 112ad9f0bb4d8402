import {
  MAX_CHAIN_HOPS,
  chainDepth,
  chainOfIssuance,
  describeChain,
  isLinkLive,
  newLink,
} from '../../lambdas/core/chains';
import type { IdentityEvent, Issuance } from '../../lambdas/core/identity-event';
import { at, ev } from '../../lambdas/core/rules/test-events';

const assume = (i: number, accessKeyId: string): { event: IdentityEvent; issued: Issuance } => ({
  event: ev({ timeMs: at(0, 1, i) }),
  issued: {
    api: 'AssumeRole',
    accessKeyId,
    roleArn: `arn:aws:iam::123456789012:role/hop-${i}`,
    sessionName: `s${i}`,
    expiresAtMs: at(0, 2, i),
  },
});

describe('identity chains', () => {
  it('roots a chain at the calling identity and extends it through role chaining, bounded', () => {
    let chain = undefined as ReturnType<typeof chainOfIssuance> | undefined;
    for (let i = 0; i < MAX_CHAIN_HOPS + 3; i++) {
      const { event, issued } = assume(i, `ASIAEXAMPLEHOP${String(i).padStart(6, '0')}`);
      chain = chainOfIssuance(event, issued, chain);
    }
    expect(chain!.hops).toHaveLength(MAX_CHAIN_HOPS);
    expect(chain!.droppedHops).toBe(3);
    expect(chainDepth(chain!)).toBe(MAX_CHAIN_HOPS + 3);
    expect(chain!.root).toMatchObject({ kind: 'identity', label: 'role/orders-worker' });
    // The newest hop, the role the credential acts as, is always kept.
    expect(chain!.hops.at(-1)?.roleArn).toBe(`arn:aws:iam::123456789012:role/hop-${MAX_CHAIN_HOPS + 2}`);
    expect(describeChain(chain!)).toMatch(
      /^role\/orders-worker → … 3 earlier hops … → AssumeRole → role\/hop-3 → /,
    );
    expect(describeChain(chain!)).toMatch(/→ AssumeRole → role\/hop-8 \(session s8\)$/);
  });

  it('keeps a link as long as its credential, at most 36 hours, and one hour when no expiry is logged', () => {
    const { event, issued } = assume(0, 'ASIAEXAMPLELIFETIME1');
    const link = newLink(event, issued, undefined);
    expect(link.expiresAtMs - link.issuedAtMs).toBe(3_600_000);
    expect(isLinkLive(link, at(0, 1, 30))).toBe(true);
    expect(isLinkLive(link, at(0, 3))).toBe(false);
    expect(isLinkLive(link, at(0, 0, 30))).toBe(false);
    const long = newLink(event, { ...issued, expiresAtMs: at(9) }, undefined);
    expect(long.expiresAtMs - long.issuedAtMs).toBe(36 * 3_600_000);
    const unknown = newLink(
      event,
      { api: 'GetSessionToken', accessKeyId: 'ASIAEXAMPLENOEXPIRY1' },
      undefined,
    );
    expect(unknown.expiresAtMs - unknown.issuedAtMs).toBe(3_600_000);
    expect(describeChain(unknown.chain)).toBe(
      'role/orders-worker → GetSessionToken → session of role/orders-worker',
    );
  });
});
