import {
  ORDINARY_USER_AGENTS,
  isOffensiveUserAgent,
  ordinaryUserAgentFor,
  withoutToolUserAgent,
} from '../../bench/giveaways';
import { classifyUserAgentUncached } from '../../lambdas/core/sources/user-agent';

describe('attack-tool user agents out of the benchmark input', () => {
  it('replaces Stratus, Grimoire and TruffleHog agents with an ordinary CLI / SDK agent', () => {
    for (const ua of [
      'stratus-red-team_ea782787-a65d-4fc4-9fca-1c97869a9a25',
      'aws-sdk-go-v2/1.32.3 os/linux lang/go#1.23.1 exec-env/grimoire_095724e3-1fa0-4e3e-b68a-e8581d194380 api/sts#1.26.2',
      'TruffleHog',
    ]) {
      const record = { eventName: 'ListUsers', userAgent: ua };
      const { record: out, isReplaced } = withoutToolUserAgent(record);
      expect(isReplaced).toBe(true);
      expect(ORDINARY_USER_AGENTS).toContain(out.userAgent);
      expect(['cli', 'sdk']).toContain(classifyUserAgentUncached(out.userAgent).class);
      expect(out.eventName).toBe('ListUsers');
      expect(record.userAgent).toBe(ua);
    }
  });

  it('is deterministic: one original agent always becomes the same ordinary one', () => {
    const ua = 'stratus-red-team_c763d13b-d099-488a-bb3e-f57cb2fed240';
    expect(ordinaryUserAgentFor(ua)).toBe(ordinaryUserAgentFor(ua));
    const chosen = new Set(
      Array.from({ length: 40 }, (_, i) => ordinaryUserAgentFor(`stratus-red-team_${i}`)),
    );
    expect(chosen.size).toBeGreaterThan(1);
  });

  it('leaves ordinary, AWS-service and missing agents as they are', () => {
    for (const ua of ['aws-cli/2.17.41 md/awscrt#0.21.2', 'console.ec2.amazonaws.com', undefined, 42]) {
      const record = { userAgent: ua };
      expect(withoutToolUserAgent(record)).toEqual({ record, isReplaced: false });
      expect(isOffensiveUserAgent(ua)).toBe(false);
    }
  });
});
