/**
 * Benign CloudTrail traffic of the on-premises ERP connector: a long-lived access key, rotated once by
 * a human administrator from the console.
 */
import {
  assumeRolePayload,
  newRoleSession,
  responseDate,
  roleArn,
  type Actor,
  type CallError,
  type CallSpec,
  type Resources,
  type UserKey,
} from '../cloudtrail-builder.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, type GenContext } from '../context.js';
import { ACCOUNTS, REGION } from '../fleet.js';
import type { Rng } from '../prng.js';
import { CONSOLE_BROWSER, ERP_JAVA_SDK } from '../user-agents.js';
import { emitCall } from './cloudtrail-calls.js';

/** The on-premises ERP connector run every ten minutes in business hours. */
export const generateErp = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('erp');
  const { erpKey1, erpKey2 } = ctx.fleet.users;
  const resources = ctx.fleet.erpResources;
  const rotationDay = Math.max(0, Math.floor(ctx.learningDays * 0.6));
  const rotationMs = ctx.startMs + rotationDay * DAY_MS + 10 * HOUR_MS + 30 * MINUTE_MS;
  ctx.state.erpRotationMs = rotationMs;
  generateKeyRotation(ctx, rng.fork('admin'), erpKey2, rotationMs - 38 * MINUTE_MS);
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    const weekday = new Date(dayStart).getUTCDay();
    if (weekday === 0) continue;
    const [fromHour, toHour] = weekday === 6 ? [6, 14] : [5, 21];
    const deniedRun = rng.chance(0.25) ? rng.int(0, (toHour - fromHour) * 6 - 1) : -1;
    for (let run = 0; run < (toHour - fromHour) * 6; run += 1) {
      let t = dayStart + fromHour * HOUR_MS + run * 10 * MINUTE_MS + rng.int(0, 40_000);
      const key = t < rotationMs ? erpKey1 : erpKey2;
      const actor: Actor = { kind: 'iam-user', ...key };
      const ip = rng.pick(ctx.fleet.onPrem.erpNatIps);
      const call = (action: string, error?: CallError): void => {
        emitCall(ctx, rng, {
          timeMs: t,
          actor,
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ERP_JAVA_SDK,
          resources,
          ...(error ? { error } : {}),
        });
        t += rng.int(120, 2_500);
      };
      call('s3:ListObjects');
      const reads = rng.poisson(1.2 * Math.min(2, ctx.scale));
      for (let index = 0; index < reads; index += 1) call('s3:GetObject');
      if (run === deniedRun) call('s3:GetObject', { code: 'AccessDenied', message: 'Access Denied' });
      const writes = 1 + rng.poisson(0.6 * Math.min(2, ctx.scale));
      for (let index = 0; index < writes; index += 1) call('s3:PutObject');
      if (rng.chance(0.5)) call('sqs:SendMessage');
    }
  }
};

/** A human administrator creates the ERP connector's second access key from the console. */
const generateKeyRotation = (ctx: GenContext, rng: Rng, newKey: UserKey, atMs: number): void => {
  const admin = newRoleSession(
    rng,
    ctx.fleet.roles.ssoAdmin,
    ctx.fleet.ssoAdminSession,
    atMs - 20 * MINUTE_MS,
  );
  const resources: Resources = { accountId: ACCOUNTS.workload, userNames: [newKey.userName] };
  const samlProvider = `arn:aws:iam::${ACCOUNTS.workload}:saml-provider/AWSSSO_${rng.hex(16)}_DO_NOT_DELETE`;
  const signIn = assumeRolePayload(admin, 43_200);
  emitCall(ctx, rng, {
    timeMs: admin.creationMs,
    actor: {
      kind: 'saml-user',
      providerArn: samlProvider,
      principalId: `${rng.base32(20)}:${ctx.fleet.ssoAdminSession}`,
      userName: ctx.fleet.ssoAdminSession,
    },
    action: 'sts:AssumeRoleWithSAML',
    region: REGION,
    sourceIp: ctx.fleet.onPrem.officeIp,
    userAgent: CONSOLE_BROWSER,
    resources,
    requestParameters: { roleArn: roleArn(admin.role), principalArn: samlProvider, durationSeconds: 43_200 },
    responseElements: {
      ...signIn.responseElements,
      subject: ctx.fleet.ssoAdminSession,
      subjectType: 'persistent',
      issuer: `https://portal.sso.${REGION}.amazonaws.com/saml/assertion/${rng.base32(24)}`,
      audience: 'https://signin.aws.amazon.com/saml',
    },
    eventResources: signIn.eventResources,
  });
  let t = atMs;
  const call = (action: string, extra: Partial<CallSpec> = {}): void => {
    emitCall(ctx, rng, {
      timeMs: t,
      actor: admin,
      action,
      region: REGION,
      sourceIp: ctx.fleet.onPrem.officeIp,
      userAgent: CONSOLE_BROWSER,
      resources,
      isConsole: true,
      ...extra,
    });
    t += rng.int(4_000, 40_000);
  };
  call('iam:GetUser');
  call('iam:ListAccessKeys');
  call('iam:ListAttachedUserPolicies');
  call('iam:CreateAccessKey', {
    responseElements: {
      accessKey: {
        userName: newKey.userName,
        accessKeyId: newKey.accessKeyId,
        status: 'Active',
        createDate: responseDate(t),
      },
    },
  });
  call('iam:ListAccessKeys');
};
