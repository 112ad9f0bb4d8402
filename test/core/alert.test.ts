import { consoleFindingsUrl, renderAlert, renderAlerts, renderDigest } from '../../lambdas/core/alert';
import type { Finding } from '../../lambdas/core/finding';
import { at } from '../../lambdas/core/rules/test-events';
import { findingFor, findingsFor } from '../support/findings';
import { HOSTILE } from '../support/hostile';

const HUB = { region: 'eu-west-1', accountId: '111122223333' } as const;

/** SNS Subject rules: ASCII, starts with a letter, number or punctuation, no line breaks or controls, under 100 characters. */
const isValidSnsSubject = (s: string): boolean =>
  s.length > 0 && s.length < 100 && /^[\x21-\x7e][\x20-\x7e]*$/.test(s);
/** Characters SNS accepts in message attribute values (the XML character range). */
const isValidAttributeValue = (s: string): boolean =>
  s.length > 0 && /^[\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u.test(s);
/** A URL a mail client would turn into a link. */
const LINKIFIABLE = /\b(?:https?|ftp):\/\/|\bwww\.[a-z]|\b[a-z0-9-]+\.(?:example|com|org|net)\b/i;

const replay = (): Finding =>
  findingFor({
    timeMs: at(9, 14, 5),
    origin: {
      ip: '203.0.113.50',
      asn: 14061,
      asOrg: 'DigitalOcean, LLC',
      country: 'NL',
      userAgent: 'python-requests/2.31.0',
    },
    action: {
      name: 's3.amazonaws.com:GetObject',
      resource: 'arn:aws:s3:::orders-archive/export',
      region: 'eu-west-1',
    },
  });

const hostile = (): Finding =>
  findingFor(
    {
      identity: { sessionName: HOSTILE.crlf, name: `${HOSTILE.crlf}${HOSTILE.bidi}` },
      origin: {
        userAgent: `${HOSTILE.ansi}${HOSTILE.url}${HOSTILE.script}${HOSTILE.hugeUa}`,
        asOrg: HOSTILE.markdown,
      },
      action: { name: `GET /${HOSTILE.script}/${HOSTILE.url}`, resource: `${HOSTILE.url} ${HOSTILE.ansi}` },
    },
    {
      summary: `${HOSTILE.crlf} ${HOSTILE.url}`,
      evidence: [HOSTILE.script, HOSTILE.ansi, HOSTILE.markdown, HOSTILE.hugeUa],
    },
  );

describe('renderAlert', () => {
  it('writes a subject an analyst can triage from the inbox', () => {
    const a = renderAlert(replay());
    expect(a.subject).toBe('nhi-watch: HIGH Credential used from two unrelated origins (orders-worker)');
    expect(isValidSnsSubject(a.subject)).toBe(true);
  });

  it('writes a body that says what, who, with which credential, from where, the evidence and what to do', () => {
    const f = replay();
    const body = renderAlert(f, { securityHub: HUB }).body;
    expect(body).toContain('HIGH: Credential used from two unrelated origins');
    expect(body).toMatch(/^What {10}Session key ASIAEXAMPLEWORKER001 used from AS14061/m);
    expect(body).toMatch(/^Who {11}orders-worker \(iam-role\) in account 123456789012$/m);
    expect(body).toContain('arn:aws:iam::123456789012:role/orders-worker');
    expect(body).toMatch(/^Credential {4}ASIAEXAMPLEWORKER001 \(session-key\)$/m);
    expect(body).toMatch(/^From {10}203\.0\.113\.50 \(AS14061 DigitalOcean, LLC; country NL\)$/m);
    expect(body).toMatch(/^Action {8}s3:GetObject on arn:aws:s3:::orders-archive\/export in eu-west-1$/m);
    expect(body).toMatch(/^When {10}2026-03-11 14:05:00 UTC \(1 event\)$/m);
    expect(body).toContain('  - first call from AS14061 (DigitalOcean, NL)');
    expect(body).toContain('Runbook\n  Confirm with the workload owner');
    expect(body).toContain(`Finding id    ${f.id}`);
    expect(body).toContain(
      `https://eu-west-1.console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A${encodeURIComponent(encodeURIComponent(f.id))}`,
    );
  });

  it('gives the time span and count of a finding that repeated', () => {
    const [f] = findingsFor([{ timeMs: at(9, 14, 5) }, { timeMs: at(9, 14, 50) }, { timeMs: at(9, 15, 1) }]);
    expect(renderAlert(f!).body).toMatch(
      /^When {10}2026-03-11 14:05:00 UTC to 2026-03-11 15:01:00 UTC \(3 events\)$/m,
    );
  });

  it('carries the finding as JSON for machines, raw values intact', () => {
    const f = replay();
    expect(JSON.parse(renderAlert(f).json)).toEqual(JSON.parse(JSON.stringify(f)));
  });

  it('sets filterable message attributes', () => {
    expect(renderAlert(replay()).attributes).toEqual({
      kind: { DataType: 'String', StringValue: 'finding' },
      severity: { DataType: 'String', StringValue: 'HIGH' },
      ruleId: { DataType: 'String', StringValue: 'credential-replay' },
      identity: { DataType: 'String', StringValue: 'aws:123456789012:role/orders-worker' },
      incident: {
        DataType: 'String',
        StringValue: expect.stringMatching(/^nhi-watch\/incident\/[0-9a-f]{32}$/),
      },
      account: { DataType: 'String', StringValue: '123456789012' },
    });
  });

  it('omits the account attribute when the account is unknown (SNS rejects empty values)', () => {
    const { accountId: _unknown, ...noAccount } = replay();
    expect(renderAlert(noAccount).attributes).not.toHaveProperty('account');
    expect(renderAlert(noAccount).body).toMatch(/^Who {11}orders-worker \(iam-role\)$/m);
  });

  describe('with attacker-controlled fields', () => {
    const a = renderAlert(hostile(), { securityHub: HUB });

    it('keeps the subject a valid SNS subject even when the identity name carries CRLF and header text', () => {
      expect(isValidSnsSubject(a.subject)).toBe(true);
      expect(a.subject).not.toMatch(/[\r\n]/);
      expect(
        a.subject.startsWith(
          'nhi-watch: HIGH Credential used from two unrelated origins (boto3/1.34\\r\\nSubject',
        ),
      ).toBe(true);
    });

    it('keeps every body line free of terminal escapes, raw controls and bidi overrides', () => {
      expect(a.body).not.toMatch(
        /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
      );
      // Injected CRLF never starts a line of its own.
      expect(a.body.split('\n').some((l) => l.startsWith('Subject:') || l.startsWith('Bcc:'))).toBe(false);
    });

    it('defangs every link an attacker supplied; the only link left is the Security Hub console one', () => {
      const lines = a.body.split('\n').filter((l) => LINKIFIABLE.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]!.trim().startsWith('https://eu-west-1.console.aws.amazon.com/securityhub/')).toBe(true);
      expect(a.body).toContain('hxxp://evil[.]example/payload');
    });

    it('leaves no HTML tag in the body', () => {
      expect(a.body).not.toMatch(/<\/?[a-z]/i);
      expect(a.body).toContain('‹script›');
    });

    it('caps a 10 kB user agent to one readable line', () => {
      const ua = a.body.split('\n').find((l) => l.startsWith('User agent'))!;
      expect(ua.length).toBeLessThan(300);
      expect(ua.endsWith('…')).toBe(true);
    });

    it('keeps message attribute values in the character set SNS accepts', () => {
      const f = findingFor({ identity: { key: `api:x:client:${HOSTILE.crlf}\u0000\ud800\uffff` } });
      for (const attr of Object.values(renderAlert(f).attributes))
        expect(isValidAttributeValue(attr.StringValue)).toBe(true);
    });

    it('keeps the JSON bounded when fields are huge, without losing ids or counts', () => {
      const f = findingFor({ origin: { userAgent: 'A'.repeat(300_000) } });
      const alert = renderAlert(f);
      expect(Buffer.byteLength(alert.json)).toBeLessThanOrEqual(120_000);
      const parsed = JSON.parse(alert.json);
      expect(parsed).toMatchObject({ id: f.id, count: 1, isTruncated: true });
    });
  });
});

describe('renderDigest', () => {
  /** 37 distinct findings on 9 identities: 5 HIGH, 12 MEDIUM, 20 LOW. */
  const batch = (): Finding[] =>
    Array.from({ length: 37 }, (_, i) => {
      const event = {
        timeMs: at(9, 10, i),
        identity: { key: `aws:123456789012:role/worker-${i % 9}`, name: `worker-${i % 9}` },
      };
      const meta =
        i < 5
          ? { severity: 'HIGH' as const }
          : i < 17
            ? { id: 'new-source', severity: 'MEDIUM' as const, title: 'New network' }
            : { id: 'new-user-agent', severity: 'LOW' as const, title: 'New user agent' };
      return findingFor(event, { discriminator: `d${i}` }, meta);
    });

  it('summarises the batch in the subject', () => {
    const fs = batch();
    expect(fs).toHaveLength(37);
    const d = renderDigest(fs);
    expect(d.subject).toBe('nhi-watch: 37 findings (5 HIGH, 12 MEDIUM) across 9 identities');
    expect(isValidSnsSubject(d.subject)).toBe(true);
  });

  it('lists findings most severe first, then counts the rest', () => {
    const d = renderDigest(batch(), { maxDigestLines: 10, securityHub: HUB });
    const listed = d.body.split('\n').filter((l) => /^(HIGH|MEDIUM|LOW) /.test(l));
    expect(listed).toHaveLength(10);
    expect(listed.slice(0, 5).every((l) => l.startsWith('HIGH'))).toBe(true);
    expect(listed[5]!.startsWith('MEDIUM')).toBe(true);
    expect(d.body).toContain('... and 27 more findings');
    expect(d.body).toContain('By severity  HIGH 5, MEDIUM 12, LOW 20');
    expect(d.body).toContain('ProductName%3D%255Coperator%255C%253AEQUALS%255C%253Anhi-watch');
  });

  it('sets array attributes so a subscriber filtering on one rule, severity or identity still gets the digest', () => {
    const a = renderDigest(batch()).attributes;
    expect(a.kind).toEqual({ DataType: 'String', StringValue: 'digest' });
    expect(a.severity!.DataType).toBe('String.Array');
    expect(JSON.parse(a.severity!.StringValue)).toEqual(['HIGH', 'MEDIUM', 'LOW']);
    expect((JSON.parse(a.ruleId!.StringValue) as string[]).sort()).toEqual([
      'credential-replay',
      'new-source',
      'new-user-agent',
    ]);
    expect(JSON.parse(a.identity!.StringValue)).toHaveLength(9);
  });

  it('carries the findings as JSON, most severe first, within the byte budget', () => {
    const fs = batch();
    const full = JSON.parse(renderDigest(fs).json);
    expect(full).toMatchObject({
      kind: 'digest',
      count: 37,
      omitted: 0,
      bySeverity: { HIGH: 5, MEDIUM: 12, LOW: 20 },
    });
    expect(full.findings).toHaveLength(37);
    const small = renderDigest(fs, { maxJsonBytes: 8_000 });
    const parsed = JSON.parse(small.json);
    expect(Buffer.byteLength(small.json)).toBeLessThanOrEqual(8_000);
    expect(parsed.omitted).toBeGreaterThan(0);
    expect(parsed.findings.length + parsed.omitted).toBe(37);
    expect(parsed.findings[0].severity).toBe('HIGH');
  });

  it('neutralises attacker text in the digest too', () => {
    const d = renderDigest([hostile(), replay()]);
    expect(d.body).not.toMatch(/[\u0000-\u0009\u000b-\u001f<>]/);
    expect(d.body.split('\n').filter((l) => LINKIFIABLE.test(l))).toEqual([]);
  });
});

describe('renderAlerts', () => {
  it('sends one alert per finding for a small batch and one digest for a large one', () => {
    const few = findingsFor(Array.from({ length: 3 }, (_, i) => ({ identity: { key: `k${i}` } })));
    const many = findingsFor(Array.from({ length: 11 }, (_, i) => ({ identity: { key: `k${i}` } })));
    expect(renderAlerts(few).map((a) => a.attributes.kind!.StringValue)).toEqual([
      'finding',
      'finding',
      'finding',
    ]);
    expect(renderAlerts(many).map((a) => a.attributes.kind!.StringValue)).toEqual(['digest']);
    expect(renderAlerts(many, { digestThreshold: 20 })).toHaveLength(11);
    expect(renderAlerts([])).toEqual([]);
  });
});

describe('consoleFindingsUrl', () => {
  it("points at the console of the region's partition, or nowhere when there is none", () => {
    expect(consoleFindingsUrl('cn-north-1', 'Id', 'x')).toMatch(
      /^https:\/\/console\.amazonaws\.cn\/securityhub\//,
    );
    expect(consoleFindingsUrl('us-gov-west-1', 'Id', 'x')).toMatch(
      /^https:\/\/console\.amazonaws-us-gov\.com\//,
    );
    expect(consoleFindingsUrl('us-iso-east-1', 'Id', 'x')).toBeUndefined();
    expect(consoleFindingsUrl('not a region', 'Id', 'x')).toBeUndefined();
  });
});

describe('incidents and maturity in the e-mail', () => {
  /** Three findings of one identity in one batch: one incident, the first alerts. */
  const incident = () =>
    findingsFor(
      [
        { timeMs: at(9, 14, 5), action: { name: 'iam.amazonaws.com:ListUsers' } },
        { timeMs: at(9, 14, 6), action: { name: 'iam.amazonaws.com:CreateAccessKey' } },
      ],
      { items: ['allowedActions: iam.amazonaws.com:ListUsers'] },
    );

  it('lists the incident’s facts in order, the breached values and how much history the finding was judged against', () => {
    const [f] = incident();
    expect(f!.alert).toBe(true);
    const body = renderAlert(f!).body;
    expect(body).toContain(
      `Incident ${f!.incident!.id}: 1 finding of this identity since 2026-03-11 14:05:00 UTC, highest HIGH`,
    );
    expect(body).toMatch(
      /\n {2}14:05:00 {2}HIGH {10}credential-replay: Session key ASIAEXAMPLEWORKER001 used from AS14061/,
    );
    // Observed values are defanged like every attacker-influenced string.
    expect(body).toContain('Breached      allowedActions: iam[.]amazonaws[.]com:ListUsers');
    expect(body).toContain('History       none: the identity’s first call; during learning');
    expect(body).toContain("judged on the identity's first call: no history of its own (learning)");
  });

  it('names the incident of every line of a digest and as a filterable attribute', () => {
    const findings = incident();
    const digest = renderDigest(findings);
    expect(digest.body).toContain(
      `incident ${findings[0]!.incident!.id} (1 finding since 2026-03-11 14:05:00 UTC)`,
    );
    expect(digest.attributes.incident).toEqual({
      DataType: 'String.Array',
      StringValue: JSON.stringify([findings[0]!.incident!.id]),
    });
  });

  it('neutralises attacker text inside the incident’s facts', () => {
    const [f] = findingsFor([{ timeMs: at(9, 14, 5) }], { summary: `${HOSTILE.ansi}${HOSTILE.url}` });
    const body = renderAlert(f!).body;
    expect(body).not.toMatch(/\x1b/);
    expect(body).not.toMatch(LINKIFIABLE);
  });
});
