/**
 * User-agent strings as the SDKs, CLIs and tools of the simulated fleet and attackers really send
 * them, so user-agent family parsing is exercised on realistic input (SDK metadata, exec-env,
 * command names) rather than on placeholders.
 */

/** AWS SDK for JavaScript v3 in a Node.js Lambda, for the given service client. */
export const lambdaNodeSdk = (service: string): string =>
  `aws-sdk-js/3.637.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.17.0 api/${service}#3.637.0 exec-env/AWS_Lambda_nodejs20.x`;

/** AWS SDK for JavaScript v2 in an older Node.js 18 Lambda. */
export const LAMBDA_NODE_SDK_V2 =
  'aws-sdk-nodejs/2.1691.0 linux/v18.20.4 exec-env/AWS_Lambda_nodejs18.x promise';

/** Boto3 on an Amazon Linux 2 EC2 instance. */
export const EC2_BOTO3 =
  'Boto3/1.34.162 md/Botocore#1.34.162 ua/2.0 os/linux#5.10.225-213.878.amzn2.x86_64 md/arch#x86_64 lang/python#3.9.19 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.162';

/** AWS CLI v2 run by cron on the same instance (`aws s3 cp`). */
export const ec2AwsCli = (command: string): string =>
  `aws-cli/2.17.41 md/awscrt#0.21.2 ua/2.0 os/linux#5.10.225-213.878.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 md/prompt#off md/command#${command}`;

/** Boto3 in a Fargate task (the nightly ETL). */
export const FARGATE_BOTO3 =
  'Boto3/1.35.10 md/Botocore#1.35.10 ua/2.0 os/linux#5.10.226-214.879.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#standard Botocore/1.35.10';

/** aws-actions/configure-aws-credentials (SDK v3 with its own suffix), on a GitHub-hosted runner. */
export const GHA_CONFIGURE_CREDENTIALS =
  'aws-sdk-js/3.621.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.16.0 api/sts#3.621.0 configure-aws-credentials-for-github-actions';

/** AWS CLI v2 on a GitHub-hosted Ubuntu runner. */
export const ghaAwsCli = (command: string): string =>
  `aws-cli/2.17.48 md/awscrt#0.21.5 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#${command}`;

/** Terraform AWS provider on a GitHub-hosted runner. */
export const ghaTerraform = (service: string): string =>
  `APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.66.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.4 ua/2.1 os/linux lang/go#1.22.6 md/GOOS#linux md/GOARCH#amd64 api/${service}#1.0.0`;

/** AWS SDK for Java v1 on the on-premises ERP connector. */
export const ERP_JAVA_SDK =
  'aws-sdk-java/1.12.529 Linux/4.18.0-513.9.1.el8_9.x86_64 OpenJDK_64-Bit_Server_VM/11.0.21+9-LTS java/11.0.21 vendor/Red_Hat,_Inc. cfg/retry-mode/standard';

/** AWS CLI v1 on a CentOS 7 cron host (the long-retired data-sync job). */
export const LEGACY_AWS_CLI_V1 =
  'aws-cli/1.18.69 Python/2.7.18 Linux/3.10.0-1160.el7.x86_64 botocore/1.16.19';

/** AWS Management Console, as seen from the administrator's browser. */
export const CONSOLE_BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0';

/** Partner's Java HTTP client. */
export const PARTNER_HTTP_CLIENT = 'Apache-HttpClient/4.5.14 (Java/17.0.10)';
/** Storefront backend's HTTP client. */
export const STOREFRONT_HTTP_CLIENT = 'axios/1.7.7';
/** Factory gateway agent. */
export const PLANT_AGENT = 'plantlink-agent/3.4.1 (linux; armv7l)';
/** Partner-account inventory sync (python requests with requests-aws4auth). */
export const INVENTORY_SYNC_CLIENT = 'python-requests/2.32.3';
/** The retired mobile app's backend client. */
export const LEGACY_MOBILE_CLIENT = 'okhttp/3.12.13';

/** Attacker tooling and human tools (each used by specific episodes). */
export const ATTACKER_UA = {
  awsCliUbuntu: (command: string): string =>
    `aws-cli/2.13.25 Python/3.11.5 Linux/6.5.0-26-generic exe/x86_64.ubuntu.22 prompt/off command/${command}`,
  awsCliMac: (command: string): string =>
    `aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/${command}`,
  kaliBoto3:
    'Boto3/1.34.54 md/Botocore#1.34.54 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.54',
  curl: 'curl/8.5.0',
  postman: 'PostmanRuntime/7.37.3',
  pythonRequests: 'python-requests/2.31.0',
  ec2Boto3Other:
    'Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#6.1.49-69.116.amzn2023.x86_64 md/arch#x86_64 lang/python#3.9.16 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.57',
} as const;
