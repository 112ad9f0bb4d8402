import { classifyUserAgent, classifyUserAgentUncached } from '../../../lambdas/core/sources/user-agent.js';

describe('classifyUserAgent', () => {
  it.each([
    ['aws-cli/1.18.136 Python/3.8.5 Darwin/19.5.0 botocore/1.17.59', 'aws-cli', 'cli'],
    [
      'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8',
      'aws-cli',
      'cli',
    ],
    ['[aws-cli/1.16.248 Python/3.4.7 Darwin/18.7.0 botocore/1.12.238]', 'aws-cli', 'cli'],
    [
      'Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214 md/arch#x86_64 lang/python#3.12.2 exec-env/AWS_Lambda_python3.12',
      'boto3',
      'sdk',
    ],
    ['Boto3/1.26.8 Python/3.9.5 Linux/5.4.0 exec-env/AWS_ECS_FARGATE Botocore/1.29.8', 'boto3', 'sdk'],
    ['Botocore/1.31.0 Python/3.11.4 Linux/6.2.0', 'botocore', 'sdk'],
    ['aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#20.11.1 api/s3#3.540.0', 'aws-sdk-js', 'sdk'],
    ['aws-sdk-nodejs/2.1384.0 linux/v18.16.0 exec-env/AWS_Lambda_nodejs18.x promise', 'aws-sdk-js', 'sdk'],
    [
      'aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.6',
      'aws-sdk-go',
      'sdk',
    ],
    ['aws-sdk-go/1.44.294 (go1.20.5; linux; amd64)', 'aws-sdk-go', 'sdk'],
    [
      'aws-sdk-java/2.25.27 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_Lambda_java17',
      'aws-sdk-java',
      'sdk',
    ],
    [
      'aws-sdk-dotnet-coreclr/3.7.300.57 aws-sdk-dotnet-core/3.7.303.4 .NET_Core/6.0.28 OS/Linux',
      'aws-sdk-dotnet',
      'sdk',
    ],
    ['aws-sdk-go/1.44.0 (go1.19; linux; amd64) amazon-ssm-agent/3.2.582.0', 'ssm-agent', 'sdk'],
    [
      'APN/1.0 HashiCorp/1.0 Terraform/1.5.2 (+https://www.terraform.io) terraform-provider-aws/5.7.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.294 (go1.20.5; linux; amd64)',
      'terraform',
      'iac',
    ],
    ['aws-cdk/2.140.0 (+https://github.com/aws/aws-cdk)', 'cdk', 'iac'],
    ['pulumi/3.112.0 aws-sdk-go/1.50.36', 'pulumi', 'iac'],
    ['cloudformation.amazonaws.com', 'cloudformation', 'iac'],
    ['console.amazonaws.com', 'console', 'console'],
    ['console.ec2.amazonaws.com', 'console', 'console'],
    ['signin.amazonaws.com', 'console', 'console'],
    [
      '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.11.666 Linux/4.9.184 OpenJDK_64-Bit_Server_VM/25.232-b09 java/1.8.0_232]',
      'console',
      'console',
    ],
    ['AWS Internal', 'aws-internal', 'aws-internal'],
    [
      'aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184 OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372',
      'aws-internal',
      'aws-internal',
    ],
    ['lambda.amazonaws.com', 'aws-service', 'aws-internal'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      'chrome',
      'browser',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67',
      'edge',
      'browser',
    ],
    ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'firefox', 'browser'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      'safari',
      'browser',
    ],
    ['Mozilla', 'browser', 'browser'],
    ['curl/8.5.0', 'curl', 'http-library'],
    ['python-requests/2.31.0', 'python-requests', 'http-library'],
    ['Go-http-client/1.1', 'go-http-client', 'http-library'],
    ['okhttp/4.12.0', 'okhttp', 'http-library'],
    ['stratus-red-team_5c59eb79-6dac-405c-a4c4-e19aec03c666', 'stratus-red-team', 'offensive-tool'],
    [
      'aws-sdk-go-v2/1.32.3 os/linux lang/go#1.23.1 md/GOOS#linux md/GOARCH#amd64 exec-env/grimoire_095724e3-1fa0-4e3e-b68a-e8581d194380 api/sts#1.26.2',
      'grimoire',
      'offensive-tool',
    ],
    ['TruffleHog', 'trufflehog', 'offensive-tool'],
    ['Boto3/1.26.0 Python/3.11.2 Linux/6.1.0-kali7-amd64 Botocore/1.29.0', 'kali', 'offensive-tool'],
    ['Pacu/1.5.0 Boto3/1.26.0 Python/3.10', 'pacu', 'offensive-tool'],
    ['Scout Suite/5.12.0 Python/3.10 Botocore/1.29', 'scoutsuite', 'offensive-tool'],
    ['prowler/3.16.1 boto3/1.34', 'prowler', 'offensive-tool'],
    ['Mozilla/5.0 zgrab/0.x', 'zgrab', 'offensive-tool'],
    ['masscan/1.3 (https://github.com/robertdavidgraham/masscan)', 'masscan', 'offensive-tool'],
    ['sqlmap/1.8#stable (https://sqlmap.org)', 'sqlmap', 'offensive-tool'],
    [
      'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
      'nmap',
      'offensive-tool',
    ],
    ['Datadog', 'other', 'unknown'],
    ['', 'none', 'unknown'],
    ['-', 'none', 'unknown'],
  ])('classifies %j as %s / %s', (ua, family, cls) => {
    expect(classifyUserAgent(ua)).toEqual({ family, class: cls });
  });

  it('does not find offensive tools inside ordinary words', () => {
    expect(classifyUserAgentUncached('alkaline-monitor/1.0 curl/8.0').family).toBe('curl');
    expect(classifyUserAgentUncached('k8s-operator/2.1 aws-sdk-go/1.50').family).toBe('aws-sdk-go');
  });

  it('gives the same answer from the cache as without it', () => {
    const ua = 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0';
    expect(classifyUserAgent(ua)).toBe(classifyUserAgent(ua));
    expect(classifyUserAgent(ua)).toEqual(classifyUserAgentUncached(ua));
    expect(classifyUserAgent(undefined)).toEqual({ family: 'none', class: 'unknown' });
  });
});
