/**
 * The simulated organisation: accounts, the non-human identities of its fleet, their resources,
 * addresses and APIs. Names are fixed; unique ids, keys and addresses derive from the seed.
 */
import type { ApiDef } from './api-gateway-builder.js';
import {
  newLongLivedKeyId,
  newUniqueId,
  type Resources,
  type RoleDef,
  type UserKey,
} from './cloudtrail-builder.js';
import { identityKeyHint } from './identity-key.js';
import { hostInSubnet, intToIpv4, NETWORKS, randomSubnet24, type NetworkBlock } from './networks.js';
import type { Rng } from './prng.js';

/** Account ids of the simulated organisation. */
export const ACCOUNTS = {
  /** Production workload account (the trail's main account). */
  workload: '123456789012',
  /** Partner / reporting account reached cross-account. */
  partner: '210987654321',
  /** Shared-services account (only attackers go there). */
  shared: '345678901234',
} as const;

/** Primary region of the workload account. */
export const REGION = 'us-east-1';
/** Region of the EC2 ingest workers and the ingest API. */
export const EU_REGION = 'eu-central-1';
/** Region of the partner account's workloads. */
export const PARTNER_REGION = 'eu-west-1';

/** A Lambda function of the fleet: its role, rates and call mix. */
export interface LambdaFunctionDef {
  readonly functionName: string;
  readonly role: RoleDef;
  /** Mean calls per hour at the diurnal mean, before scale. */
  readonly basePerHour: number;
  readonly peakHourUtc: number;
  /** Relative diurnal swing (0 flat … 1 zero at the trough). */
  readonly diurnalAmplitude: number;
  readonly weekendFactor: number;
  /** Call mix: IAM-style action → weight. */
  readonly actions: readonly (readonly [string, number])[];
  /** Calls made once when an execution environment starts. */
  readonly initActions: readonly string[];
  readonly resources: Resources;
  /** SDK flavour (decides the user agent). */
  readonly sdk: 'v3' | 'v2';
  /** Occasional legitimate throttling on one action. */
  readonly throttle?: {
    readonly action: string;
    readonly code: string;
    readonly message: string;
    readonly probability: number;
  };
}

/** A factory gateway authenticating with a client certificate. */
export interface DeviceDef {
  readonly name: string;
  readonly plant: string;
  readonly certSerial: string;
  readonly certSubject: string;
  readonly sourceIp: string;
}

/** Everything the generators need to know about the fleet. */
export interface Fleet {
  readonly lambdas: readonly LambdaFunctionDef[];
  readonly roles: {
    readonly ingestWorker: RoleDef;
    readonly nightlyEtl: RoleDef;
    readonly ghaDeployer: RoleDef;
    readonly reportsWriter: RoleDef;
    readonly inventorySync: RoleDef;
    readonly ssoAdmin: RoleDef;
    readonly dataLakeAdmin: RoleDef;
    readonly sharedBackup: RoleDef;
    readonly sharedBackupAdmin: RoleDef;
  };
  readonly users: {
    readonly erpKey1: UserKey;
    readonly erpKey2: UserKey;
    readonly dataSync: UserKey;
    readonly terraformBootstrap: UserKey;
    /** IAM users that exist but are never used benignly (credential-stuffing targets). */
    readonly idle: readonly UserKey[];
  };
  readonly ec2Instances: readonly { readonly instanceId: string; readonly elasticIp: string }[];
  readonly ingestResources: Resources;
  readonly etlResources: Resources;
  readonly ciResources: Resources;
  readonly erpResources: Resources;
  readonly dataSyncResources: Resources;
  readonly reportsResources: Resources;
  readonly github: { readonly providerArn: string; readonly org: string };
  readonly onPrem: {
    readonly erpNatIps: readonly string[];
    readonly officeIp: string;
    readonly dataSyncHost: string;
  };
  readonly lambdaNetworks: readonly NetworkBlock[];
  readonly runnerNetworks: readonly NetworkBlock[];
  readonly apis: { readonly orders: ApiDef; readonly ingest: ApiDef };
  readonly partner: {
    readonly clientId: string;
    readonly issuer: string;
    readonly scope: string;
    readonly natIps: readonly string[];
  };
  readonly storefront: { readonly apiKeyId: string; readonly hosts: readonly string[] };
  readonly legacyMobile: { readonly apiKeyId: string; readonly host: string };
  readonly devices: readonly DeviceDef[];
  /** The certificate that replaces `devices[renewedDeviceIndex]`'s at renewal time. */
  readonly renewedDevice: { readonly index: number; readonly certSerial: string };
  readonly ssoAdminSession: string;
}

const certSerial = (rng: Rng): string => Array.from({ length: 16 }, () => rng.hex(2)).join(':');

const role = (rng: Rng, accountId: string, name: string): RoleDef => ({
  accountId,
  name,
  roleId: newUniqueId(rng, 'AROA'),
});

const userKey = (rng: Rng, userName: string, userId?: string): UserKey => ({
  accountId: ACCOUNTS.workload,
  userName,
  userId: userId ?? newUniqueId(rng, 'AIDA'),
  accessKeyId: newLongLivedKeyId(rng),
});

const API_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const COGNITO_CLIENT_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const POOL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Builds the fleet for a seed. */
export const buildFleet = (rng: Rng): Fleet => {
  const lambdaRole = (name: string): RoleDef => role(rng, ACCOUNTS.workload, `${name}-role`);
  const workload = ACCOUNTS.workload;
  const lambdas: LambdaFunctionDef[] = [
    {
      functionName: 'orders-api-handler',
      role: lambdaRole('orders-api-handler'),
      basePerHour: 120,
      peakHourUtc: 15,
      diurnalAmplitude: 0.6,
      weekendFactor: 0.7,
      actions: [
        ['dynamodb:GetItem', 45],
        ['dynamodb:Query', 20],
        ['dynamodb:PutItem', 12],
        ['dynamodb:UpdateItem', 10],
        ['sqs:SendMessage', 10],
      ],
      initActions: ['kms:Decrypt', 'ssm:GetParameter'],
      resources: {
        accountId: workload,
        tables: ['orders', 'order-lines'],
        queueName: 'order-events',
        kmsKeyId: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
        parameterNames: ['/orders/prod/config'],
      },
      sdk: 'v3',
      throttle: {
        action: 'dynamodb:PutItem',
        code: 'ProvisionedThroughputExceededException',
        message:
          'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
        probability: 0.002,
      },
    },
    {
      functionName: 'order-events-processor',
      role: lambdaRole('order-events-processor'),
      basePerHour: 50,
      peakHourUtc: 15,
      diurnalAmplitude: 0.5,
      weekendFactor: 0.75,
      actions: [
        ['dynamodb:UpdateItem', 40],
        ['sns:Publish', 25],
        ['events:PutEvents', 20],
        ['s3:PutObject', 15],
      ],
      initActions: ['kms:Decrypt'],
      resources: {
        accountId: workload,
        tables: ['orders'],
        buckets: [`order-archive-${workload}`],
        keyPrefix: 'events/',
        topicName: 'order-notifications',
        eventBus: 'orders',
        queueName: 'order-events-dlq',
        kmsKeyId: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
      },
      sdk: 'v3',
    },
    {
      functionName: 'thumbnail-generator',
      role: lambdaRole('thumbnail-generator'),
      basePerHour: 26,
      peakHourUtc: 18,
      diurnalAmplitude: 0.7,
      weekendFactor: 1.1,
      actions: [
        ['s3:GetObject', 46],
        ['s3:PutObject', 46],
        ['kms:GenerateDataKey', 8],
      ],
      initActions: [],
      resources: { accountId: workload, buckets: [`product-images-${workload}`], keyPrefix: 'uploads/' },
      sdk: 'v2',
    },
    {
      functionName: 'report-exporter',
      role: lambdaRole('report-exporter'),
      basePerHour: 0,
      peakHourUtc: 0,
      diurnalAmplitude: 0,
      weekendFactor: 1,
      actions: [['dynamodb:Query', 1]],
      initActions: [],
      resources: { accountId: workload, tables: ['orders', 'order-lines'] },
      sdk: 'v3',
    },
  ];

  const erpUserId = newUniqueId(rng, 'AIDA');
  const erpKey1 = userKey(rng, 'svc-erp-integration', erpUserId);
  const erpKey2 = userKey(rng, 'svc-erp-integration', erpUserId);
  const idleNames = [
    'jenkins-legacy',
    'svc-reporting-old',
    'backup-agent',
    'svc-analytics',
    'ftp-sync',
    'monitoring-ro',
    'svc-billing-export',
  ];

  const onPremSubnet = randomSubnet24(rng, NETWORKS.telekomBusinessDe);
  const firstNat = rng.int(10, 120);
  const partnerSubnet = randomSubnet24(rng, NETWORKS.googleCloudBe);
  const plants = ['hamburg', 'bremen', 'kassel', 'leipzig', 'ulm', 'passau'];
  const devices: DeviceDef[] = plants.map((plant, index) => {
    const name = `factory-gw-${String(index + 1).padStart(2, '0')}`;
    return {
      name,
      plant,
      certSerial: certSerial(rng),
      certSubject: `CN=${name}.${plant}.plants.example.com,OU=OT,O=Example Manufacturing GmbH,C=DE`,
      sourceIp: hostInSubnet(rng, randomSubnet24(rng, NETWORKS.vodafoneDe)),
    };
  });
  const cognitoPool = `${REGION}_${rng.chars(POOL_ALPHABET, 9)}`;

  return {
    lambdas,
    roles: {
      ingestWorker: role(rng, workload, 'ingest-worker-ec2'),
      nightlyEtl: role(rng, workload, 'nightly-etl-task'),
      ghaDeployer: role(rng, workload, 'gha-deployer'),
      reportsWriter: role(rng, ACCOUNTS.partner, 'ReportsWriter'),
      inventorySync: role(rng, ACCOUNTS.partner, 'inventory-sync-role'),
      ssoAdmin: role(rng, workload, `AWSReservedSSO_AdministratorAccess_${rng.hex(16)}`),
      dataLakeAdmin: role(rng, workload, 'data-lake-admin'),
      sharedBackup: role(rng, ACCOUNTS.shared, 'cross-account-backup'),
      sharedBackupAdmin: role(rng, ACCOUNTS.shared, 'backup-admin'),
    },
    users: {
      erpKey1,
      erpKey2,
      dataSync: userKey(rng, 'svc-datasync-legacy'),
      terraformBootstrap: userKey(rng, 'terraform-bootstrap'),
      idle: idleNames.map((name) => userKey(rng, name)),
    },
    ec2Instances: [0, 1].map(() => ({
      instanceId: `i-0${rng.hex(16)}`,
      elasticIp: hostInSubnet(rng, randomSubnet24(rng, NETWORKS.awsEuc1Ec2)),
    })),
    ingestResources: {
      accountId: workload,
      buckets: [`ingest-raw-${workload}`, `ingest-curated-${workload}`],
      keyPrefix: 'batches/',
      queueName: 'ingest-jobs',
      parameterNames: ['/ingest/prod/endpoint', '/ingest/prod/batch-size'],
    },
    etlResources: {
      accountId: workload,
      buckets: [`datalake-raw-${workload}`, `datalake-curated-${workload}`],
      keyPrefix: 'dt=',
      tables: ['daily-aggregates'],
      athenaWorkgroup: 'etl',
      glueDatabase: 'datalake',
      glueTables: ['orders_raw', 'order_lines_raw', 'daily_sales'],
    },
    ciResources: {
      accountId: workload,
      buckets: [
        `cfn-artifacts-${workload}`,
        `example-web-assets-${workload}`,
        `example-tfstate-${workload}`,
        `order-archive-${workload}`,
      ],
      tables: ['terraform-locks', 'orders', 'order-lines'],
      queueName: 'order-events',
      stackName: 'orders-service-prod',
      functionNames: [
        'orders-api-handler',
        'order-events-processor',
        'thumbnail-generator',
        'report-exporter',
      ],
      roleNames: [
        'orders-api-handler-role',
        'order-events-processor-role',
        'thumbnail-generator-role',
        'report-exporter-role',
        'ingest-worker-ec2',
        'nightly-etl-task',
      ],
    },
    erpResources: {
      accountId: workload,
      buckets: [`erp-exchange-${workload}`],
      keyPrefix: 'inbox/',
      queueName: 'erp-documents',
    },
    dataSyncResources: {
      accountId: workload,
      buckets: [`legacy-archive-${workload}`],
      keyPrefix: 'nightly/',
    },
    reportsResources: {
      accountId: ACCOUNTS.partner,
      buckets: [`partner-reports-${ACCOUNTS.partner}`],
      keyPrefix: 'orders/',
    },
    github: {
      providerArn: `arn:aws:iam::${workload}:oidc-provider/token.actions.githubusercontent.com`,
      org: 'example-org',
    },
    onPrem: {
      erpNatIps: [intToIpv4(onPremSubnet + firstNat), intToIpv4(onPremSubnet + firstNat + 1)],
      officeIp: hostInSubnet(rng, randomSubnet24(rng, NETWORKS.telekomBusinessDe)),
      dataSyncHost: intToIpv4(onPremSubnet + firstNat + 20),
    },
    lambdaNetworks: [NETWORKS.awsUse1LambdaA, NETWORKS.awsUse1LambdaB],
    runnerNetworks: [NETWORKS.azureUsA, NETWORKS.azureUsB, NETWORKS.azureUsC, NETWORKS.azureUsD],
    apis: {
      orders: {
        apiId: rng.chars(API_ID_ALPHABET, 10),
        kind: 'rest',
        stage: 'prod',
        domainName: 'api.example.com',
        region: REGION,
      },
      ingest: {
        apiId: rng.chars(API_ID_ALPHABET, 10),
        kind: 'http',
        stage: '$default',
        domainName: 'ingest.example.com',
        region: EU_REGION,
      },
    },
    partner: {
      clientId: rng.chars(COGNITO_CLIENT_ALPHABET, 26),
      issuer: `https://cognito-idp.${REGION}.amazonaws.com/${cognitoPool}`,
      scope: 'orders/read orders/write',
      natIps: [hostInSubnet(rng, partnerSubnet), hostInSubnet(rng, partnerSubnet)],
    },
    storefront: {
      apiKeyId: rng.chars(API_ID_ALPHABET, 10),
      hosts: [
        hostInSubnet(rng, randomSubnet24(rng, NETWORKS.hetznerDe)),
        hostInSubnet(rng, randomSubnet24(rng, NETWORKS.hetznerDe)),
      ],
    },
    legacyMobile: {
      apiKeyId: rng.chars(API_ID_ALPHABET, 10),
      host: hostInSubnet(rng, randomSubnet24(rng, NETWORKS.awsUse1LambdaB)),
    },
    devices,
    renewedDevice: { index: 2, certSerial: certSerial(rng) },
    ssoAdminSession: 'jane.doe@example.com',
  };
};

/** Identity key of a role. */
export const roleKey = (role: RoleDef): string =>
  identityKeyHint({ kind: 'iam-role', accountId: role.accountId, name: role.name });
/** Identity key of an IAM user. */
export const userKeyOf = (user: UserKey): string =>
  identityKeyHint({ kind: 'iam-user', accountId: user.accountId, name: user.userName });

/** Every identity of the simulated organisation, with what it is (attack-only targets included). */
export const fleetIdentities = (fleet: Fleet): { key: string; description: string }[] => {
  const api = (apiId: string, issuerOrAuthType: string, id: string): string =>
    identityKeyHint({ kind: 'api-client', apiId, issuerOrAuthType, id });
  const { roles, users } = fleet;
  return [
    ...fleet.lambdas.map((fn) => ({
      key: roleKey(fn.role),
      description: `Lambda ${fn.functionName} execution role`,
    })),
    {
      key: roleKey(roles.reportsWriter),
      description: 'partner-account writer, assumed cross-account by report-exporter',
    },
    { key: roleKey(roles.ingestWorker), description: 'EC2 instance profile of the ingest workers' },
    { key: roleKey(roles.nightlyEtl), description: 'nightly ETL Fargate task role' },
    { key: roleKey(roles.ghaDeployer), description: 'GitHub Actions deployer (OIDC web identity)' },
    {
      key: roleKey(roles.ssoAdmin),
      description: 'human administrator (IAM Identity Center), rotates the ERP key once',
    },
    {
      key: userKeyOf(users.erpKey1),
      description: 'on-premises ERP connector (long-lived keys, rotated once)',
    },
    {
      key: userKeyOf(users.dataSync),
      description: 'retired data-sync user: history only before the run, then dormant',
    },
    { key: userKeyOf(users.terraformBootstrap), description: 'unused bootstrap user (attack target)' },
    ...users.idle.map((user) => ({ key: userKeyOf(user), description: 'idle IAM user (attack target)' })),
    { key: roleKey(roles.dataLakeAdmin), description: 'data-lake admin role (attack target)' },
    { key: roleKey(roles.sharedBackup), description: 'shared-services backup role (attack target)' },
    {
      key: roleKey(roles.sharedBackupAdmin),
      description: 'shared-services backup admin role (attack target)',
    },
    {
      key: api(fleet.apis.orders.apiId, fleet.partner.issuer, fleet.partner.clientId),
      description: 'partner OAuth client (REST API)',
    },
    {
      key: api(fleet.apis.orders.apiId, 'api-key', fleet.storefront.apiKeyId),
      description: 'storefront API key (REST API)',
    },
    {
      key: api(fleet.apis.orders.apiId, 'api-key', fleet.legacyMobile.apiKeyId),
      description: 'retired mobile app API key: history only before the run',
    },
    ...fleet.devices.map((device) => ({
      key: api(fleet.apis.ingest.apiId, 'mtls', device.certSerial),
      description: `${device.name} client certificate (HTTP API)`,
    })),
    {
      key: api(fleet.apis.ingest.apiId, 'mtls', fleet.renewedDevice.certSerial),
      description: `renewed certificate of ${fleet.devices[fleet.renewedDevice.index]?.name ?? 'a gateway'}`,
    },
    {
      key: api(
        fleet.apis.ingest.apiId,
        'iam',
        `arn:aws:iam::${roles.inventorySync.accountId}:role/${roles.inventorySync.name}`,
      ),
      description: 'partner-account inventory sync (SigV4, HTTP API)',
    },
    ...['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'].map((service) => ({
      key: identityKeyHint({ kind: 'aws-service', service }),
      description: 'AWS service assuming workload roles',
    })),
  ];
};
