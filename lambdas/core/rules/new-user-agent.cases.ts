/** Cases of the `new-user-agent` rule (test material: no production module imports this file). */
import { UA, at, ev, history, inTimeOrder, rotatingHistory, type EventOverrides } from './test-events.js';
import { rawHistory, workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

const cli: EventOverrides['origin'] = {
  userAgent:
    'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#s3.ls',
  userAgentFamily: 'aws-cli',
  userAgentClass: 'cli',
  ip: '198.51.100.23',
  network: '198.51.100.0/24',
  asn: 64500,
  asOrg: 'Example Broadband',
  isAws: false,
};

const browser: EventOverrides['origin'] = {
  userAgent:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  userAgentFamily: 'chrome',
  userAgentClass: 'browser',
};

const pacu: EventOverrides['origin'] = {
  userAgent: 'aws-cli/1.29.0 Python/3.11.2 Linux/6.5.0-kali3-amd64 botocore/1.31.0',
  userAgentFamily: 'kali-linux',
  userAgentClass: 'offensive-tool',
};

const powershell: EventOverrides['origin'] = {
  ...cli,
  userAgent: 'AWSPowerShell.Common/4.1.500 .NET_Core/8.0',
  userAgentFamily: 'aws-powershell',
};

const goSdk: EventOverrides['origin'] = {
  userAgent:
    'aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/dynamodb#1.31.1 exec-env/AWS_ECS_FARGATE',
  userAgentFamily: 'aws-sdk-go',
  userAgentClass: 'sdk',
};

const boto3: EventOverrides['origin'] = {
  userAgent:
    'Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214-202.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 exec-env/AWS_Lambda_python3.12',
  userAgentFamily: 'boto3',
  userAgentClass: 'sdk',
};

/** `new-user-agent`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const newUserAgentCases = defineCases('new-user-agent', [
  {
    name: 'Lambda role (SDK only) used with the AWS CLI from a broadband address: human use, MEDIUM',
    events: [
      ...history(),
      ev({
        timeMs: at(9, 21),
        action: { name: 's3.amazonaws.com:ListBuckets', service: 's3.amazonaws.com' },
        origin: cli,
      }),
    ],
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'Lambda role used with a Kali Linux user agent: offensive tool, HIGH',
    events: [...history(), ev({ timeMs: at(9, 21), origin: pacu })],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'workload with one stray CLI call during learning, then a browser: still human use',
    events: [
      ...inTimeOrder(history(), [ev({ timeMs: at(2, 20), origin: cli })]),
      ev({ timeMs: at(9, 21), origin: browser }),
    ],
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'Node workload starts calling with boto3: new family, LOW',
    events: [...history(), ev({ timeMs: at(9, 9), origin: boto3 })],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'the stray-CLI workload with minClassShare 0.001: the stray call counts, so the browser is only a new family, LOW',
    events: [
      ...inTimeOrder(history(), [ev({ timeMs: at(2, 20), origin: cli })]),
      ev({ timeMs: at(9, 21), origin: browser }),
    ],
    thresholds: { minClassShare: 0.001 },
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'workload whose on-call engineer checks it with the CLI each morning (2.5% of calls), minClassShare 0.05, new-family reports off: a browser is human use',
    events: [
      ...inTimeOrder(history({}, 8, 39), history({ origin: cli }, 8, 1)),
      ev({ timeMs: at(9, 21), origin: browser }),
    ],
    thresholds: { minClassShare: 0.05, reportNewFamilies: false },
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'human-operated role (CLI history) used from a new CLI family: new family, LOW',
    events: [...history({ origin: cli }), ev({ timeMs: at(9, 9), origin: powershell })],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'shared role called by services in Node, Java and Python, a fourth SDK (Go) with maxKnownFamilies 3: too many consumers to matter',
    events: [
      ...rotatingHistory(
        {},
        [UA.lambdaNode, UA.ecsFargate, UA.lambdaPython].map((ua) => ({ origin: ua })),
      ),
      ev({ timeMs: at(9, 9), origin: goSdk }),
    ],
    thresholds: { maxKnownFamilies: 3 },
    fires: false,
  },
  {
    name: 'SDK version bump (aws-sdk-js 3.600 → 3.700): same family',
    events: [
      ...history(),
      ev({
        timeMs: at(9, 9),
        origin: {
          userAgent:
            'aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#22.12.0 exec-env/AWS_Lambda_nodejs22.x',
        },
      }),
    ],
    fires: false,
  },
  {
    name: 'console agent on a call CloudFormation made on the role’s behalf',
    events: [
      ...history(),
      ev({
        timeMs: at(9, 9),
        origin: {
          ip: 'cloudformation.amazonaws.com',
          isIp: false,
          awsService: 'cloudformation.amazonaws.com',
          userAgent: 'cloudformation.amazonaws.com',
          userAgentFamily: 'cloudformation',
          userAgentClass: 'aws-internal',
        },
      }),
    ],
    fires: false,
  },
  {
    name: 'human-operated role (CLI history) used from a new CLI family with new-family reports off',
    events: [...history({ origin: cli }), ev({ timeMs: at(9, 9), origin: powershell })],
    thresholds: { reportNewFamilies: false },
    fires: false,
  },
  {
    name: 'EC2 instance-profile session used by an attack tool in its first hour (no baseline yet): HIGH',
    events: [
      ev({ timeMs: at(0, 9) }),
      ev({ timeMs: at(0, 9, 5), origin: { ...pacu, ip: '203.0.113.45', isAws: false, asn: 14061 } }),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'a new SDK family on a workload during the learning period',
    events: [...history({}, 3), ev({ timeMs: at(3, 21), origin: boto3 })],
    fires: false,
  },
  {
    name: 'browser on a workload during the learning period',
    events: [...history({}, 3), ev({ timeMs: at(3, 21), origin: browser })],
    fires: false,
  },
  {
    name: 'failed authentication with the AWS CLI (a guess at the key, not use of the identity)',
    events: [
      ...history(),
      ev({
        timeMs: at(9, 21),
        origin: cli,
        outcome: { authn: 'failure', errorCode: 'SignatureDoesNotMatch' },
      }),
    ],
    fires: false,
  },
  {
    name: 'raw CloudTrail: a Lambda role’s learned SDK calls, then one from a Kali Linux AWS CLI: offensive tool, HIGH',
    log: [
      ...rawHistory((timeMs) => workerCall({ timeMs })),
      workerCall({
        timeMs: at(9, 21),
        sourceIPAddress: '203.0.113.45',
        userAgent: 'aws-cli/1.29.0 Python/3.11.2 Linux/6.5.0-kali3-amd64 botocore/1.31.0',
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
]);
