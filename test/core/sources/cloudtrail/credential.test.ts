import { normaliseCloudTrail } from '../../../../lambdas/core/sources/cloudtrail/index.js';
import type { IdentityEvent } from '../../../../lambdas/core/identity-event.js';
import { INTEL, ROLE_GET_OBJECT, USER_LIST_USERS, withFields } from '../fixtures.js';

function normalised(record: Record<string, unknown>, intel = INTEL): IdentityEvent {
  const result = normaliseCloudTrail(record, intel, { logGroup: 'aws-cloudtrail-logs-123456789012' });
  if (!result.ok) throw new Error(`expected a normalised event, got reject: ${result.reason}`);
  return result.value;
}

describe('normaliseCloudTrail — credential', () => {
  it('tells long-lived keys, session keys and console sessions apart and never copies secrets', () => {
    expect(normalised(USER_LIST_USERS).credential).toEqual({
      id: 'AKIA3EXAMPLEKEY00001',
      kind: 'long-lived-key',
    });
    expect(normalised(ROLE_GET_OBJECT).credential).toEqual({
      id: 'ASIA3EXAMPLEKEY00001',
      kind: 'session-key',
      issuedAtMs: Date.UTC(2024, 4, 1, 9, 58),
      isMfa: false,
    });
    const console = normalised(withFields(ROLE_GET_OBJECT, { sessionCredentialFromConsole: 'true' }));
    expect(console.credential.kind).toBe('console-session');
  });

  it('reads MFA from a console login and the compact creation date of old records', () => {
    const login = normalised(
      withFields(USER_LIST_USERS, {
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/ops/alice',
          accountId: '123456789012',
          sessionContext: { attributes: { mfaAuthenticated: 'false', creationDate: '20131102T010628Z' } },
        },
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        responseElements: { ConsoleLogin: 'Success' },
        additionalEventData: {
          LoginTo: 'https://console.aws.amazon.com/',
          MobileVersion: 'No',
          MFAUsed: 'Yes',
        },
      }),
    );
    expect(login.credential).toEqual({
      kind: 'console-session',
      issuedAtMs: Date.UTC(2013, 10, 2, 1, 6, 28),
      isMfa: true,
    });
  });
});
