/**
 * Labelled attack episodes injected after the learning period: at least one per detection rule,
 * on CloudTrail and on API Gateway where the technique exists there (one episode per file in this
 * folder). Attackers reuse the fleet's live credentials, addresses and user agents where the
 * technique would (a compromised workload calls from its own egress with its own SDK), so most
 * episodes are not given away by one string.
 */
import { PARTNER_HOURS } from '../benign/partner.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, type GenContext } from '../context.js';
import type { Rng } from '../prng.js';
import { accessKeyFailureBurst } from './access-key-signature-burst.js';
import { inventoryRouteProbe } from './api-route-permission-probe.js';
import { ciBackdoorUser } from './ci-backdoor-user-access-key.js';
import { ciForeignRepository } from './ci-foreign-repository-oidc.js';
import { ciSessionExfiltrated } from './ci-session-exfiltrated.js';
import { certificateStuffing } from './client-certificate-stuffing.js';
import { crossAccountPivot } from './cross-account-role-chain.js';
import { dormantKeyRevived } from './dormant-user-key-revived.js';
import { eksForeignServiceAccount } from './eks-foreign-service-account.js';
import { eksIrsaCredentialsReplayed } from './eks-irsa-credentials-replayed.js';
import type { EpisodeDef, Window } from './episode.js';
import { legacyKeyInLambda } from './erp-key-embedded-in-function.js';
import { erpOldKeyNewCountry } from './erp-old-key-new-country.js';
import { etlEnumerateIam } from './etl-container-permission-enumeration.js';
import { etlSnapshotShareOutside } from './etl-snapshot-share-outside.js';
import { etlDaytimeRun } from './etl-task-run-at-midday.js';
import { thumbnailScopeCreep } from './image-rce-secret-theft.js';
import { reportExporterSecretHarvest } from './report-exporter-secret-harvest.js';
import { imdsCredentialReplay } from './imds-credential-replay.js';
import { ingestWorkerParameterSweep } from './ingest-worker-parameter-sweep.js';
import { ec2CurlSigv4 } from './instance-credentials-curl.js';
import { inventoryDeletes } from './inventory-mass-delete.js';
import { lambdaEnumerationLoop } from './lambda-dynamodb-harvest-loop.js';
import { accessKeyStuffing } from './leaked-key-stuffing.js';
import { partnerOutOfContractRoute } from './partner-client-customer-records.js';
import { partnerNewNetwork } from './partner-client-new-network.js';
import { partnerOffHours } from './partner-client-off-hours.js';
import { partnerScrape } from './partner-order-scrape.js';
import { partnerPostman } from './partner-token-in-postman.js';
import { partnerTokenReplay } from './partner-token-replay.js';
import { dormantApiKey } from './retired-api-key-revived.js';
import { revokedCertificateBurst } from './revoked-certificate-burst.js';
import { sameAccountEscalation } from './workload-assumes-admin-role.js';

/**
 * Every episode, in a fixed order (scheduling shuffles them per seed). The position is part of each
 * episode's attack id (`atk-NN-slug`) and of the schedule: append new episodes, never reorder.
 */
export const EPISODES: readonly EpisodeDef[] = [
  imdsCredentialReplay,
  partnerTokenReplay,
  accessKeyFailureBurst,
  revokedCertificateBurst,
  accessKeyStuffing,
  certificateStuffing,
  erpOldKeyNewCountry,
  partnerNewNetwork,
  ec2CurlSigv4,
  partnerPostman,
  lambdaEnumerationLoop,
  partnerScrape,
  thumbnailScopeCreep,
  reportExporterSecretHarvest,
  inventoryDeletes,
  etlEnumerateIam,
  inventoryRouteProbe,
  crossAccountPivot,
  sameAccountEscalation,
  dormantKeyRevived,
  dormantApiKey,
  ciBackdoorUser,
  legacyKeyInLambda,
  partnerOffHours,
  partnerOutOfContractRoute,
  etlDaytimeRun,
  etlSnapshotShareOutside,
  ingestWorkerParameterSweep,
  ciForeignRepository,
  eksForeignServiceAccount,
  ciSessionExfiltrated,
  eksIrsaCredentialsReplayed,
];

const windowStart = (ctx: GenContext, rng: Rng, window: Window, dayStart: number): number => {
  const within = (fromHour: number, toHour: number): number =>
    dayStart + Math.floor(rng.float(fromHour, toHour) * HOUR_MS);
  switch (window) {
    case 'business':
      return within(9, 16.5);
    case 'partnerHours':
      return within(PARTNER_HOURS.start + 2, PARTNER_HOURS.end - 2);
    case 'offHours':
      return within(0.5, 4.5);
    case 'erpHours':
      return within(7, 18);
    case 'ciHours':
      return within(8, 16);
    case 'evening':
      return within(19, 22.5);
    case 'etlRun': {
      const run = ctx.state.etlRuns.find(
        (candidate) => candidate.fromMs >= dayStart && candidate.fromMs < dayStart + DAY_MS,
      );
      return run ? run.fromMs + rng.int(8, 30) * MINUTE_MS : within(2.2, 2.6);
    }
  }
};

/** Places every episode on a day after the learning period and runs it. */
export const injectAttacks = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('attacks');
  const attackDays = ctx.days - ctx.learningDays;
  const order = rng.shuffle(EPISODES.map((_, index) => index));
  const dayOffsets = rng.shuffle(Array.from({ length: attackDays }, (_, index) => index));
  order.forEach((episodeIndex, position) => {
    const episode = EPISODES[episodeIndex];
    if (!episode) return;
    const day = ctx.learningDays + (dayOffsets[position % attackDays] ?? 0);
    const dayStart = ctx.startMs + day * DAY_MS;
    const episodeRng = ctx.rng.fork(`attack/${episode.slug}`);
    const atMs = windowStart(ctx, episodeRng, episode.window, dayStart);
    const attackId = `atk-${String(episodeIndex + 1).padStart(2, '0')}-${episode.slug}`;
    episode.run({
      ctx,
      rng: episodeRng,
      atMs,
      attackId,
      label: (rule, technique, identityKey, signal = true) => ({
        rule,
        technique,
        attackId,
        ...(identityKey === undefined ? {} : { identityKey }),
        signal,
      }),
    });
  });
};
