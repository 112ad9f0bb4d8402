/**
 * User-agent family and class: the coarse, version-free name of the software that made a call,
 * so "new user agent" and "human use of a workload identity" can be judged without per-version noise.
 *
 * Families are stable lowercase strings (`aws-cli`, `boto3`, `terraform`, `chrome`, `curl`, …).
 * Order matters: tools that embed an SDK (Terraform, the SSM agent, offensive tools) are checked
 * before the SDK they embed. Results are memoised in a small bounded map: a fleet uses few agents.
 */
import type { UserAgentClass } from '../identity-event.js';

/** The classification of one user-agent string. */
export interface UserAgentInfo {
  readonly family: string;
  readonly class: UserAgentClass;
}

/** Family used when the log carries no user agent. */
export const NO_USER_AGENT_FAMILY = 'none';
/** Family used when the user agent is present but not recognised. */
export const OTHER_USER_AGENT_FAMILY = 'other';

interface Rule {
  readonly family: string;
  readonly class: UserAgentClass;
  /** Lowercase substrings; any one matches. */
  readonly needles: readonly string[];
}

/**
 * Offensive / reconnaissance tooling, matched as tokens (a version number may follow, as in the
 * `-kali7-` kernel tag) so that e.g. `kali` does not match inside another word. Family is the tool name.
 */
const OFFENSIVE_TOOL =
  /(?:^|[^a-z0-9])(pacu|stratus-red-team|grimoire|trufflehog|kali|scoutsuite|scout suite|prowler|cloudfox|nmap|masscan|zgrab|zgrab2|sqlmap|nuclei|nikto|weirdaal|cloudsploit|cloudmapper|s3scanner|aws-nuke|dirbuster|gobuster|ffuf|metasploit)(?:[^a-z]|$)/;

const RULES: readonly Rule[] = [
  { family: 'terraform', class: 'iac', needles: ['terraform'] },
  { family: 'pulumi', class: 'iac', needles: ['pulumi'] },
  { family: 'cdk', class: 'iac', needles: ['aws-cdk/', 'aws-cdk-lib', 'cdk-assets', 'md/cdk'] },
  { family: 'cloudformation', class: 'iac', needles: ['cloudformation.amazonaws.com', 'aws-cloudformation'] },
  {
    family: 'console',
    class: 'console',
    needles: ['console.', 'signin.amazonaws.com', 'console,', 'console/', 'consolefrontend', 'console '],
  },
  { family: 'aws-internal', class: 'aws-internal', needles: ['aws internal', 'aws-internal/'] },
  { family: 'aws-cli', class: 'cli', needles: ['aws-cli/'] },
  { family: 'aws-powershell', class: 'cli', needles: ['aws-powershell', 'awspowershell'] },
  { family: 'aws-toolkit', class: 'cli', needles: ['aws-toolkit', 'awstoolkit'] },
  { family: 'ssm-agent', class: 'sdk', needles: ['amazon-ssm-agent'] },
  { family: 'boto3', class: 'sdk', needles: ['boto3/'] },
  { family: 'botocore', class: 'sdk', needles: ['botocore/'] },
  { family: 'aws-sdk-js', class: 'sdk', needles: ['aws-sdk-js', 'aws-sdk-nodejs'] },
  { family: 'aws-sdk-go', class: 'sdk', needles: ['aws-sdk-go'] },
  { family: 'aws-sdk-java', class: 'sdk', needles: ['aws-sdk-java'] },
  { family: 'aws-sdk-dotnet', class: 'sdk', needles: ['aws-sdk-dotnet', 'aws-sdk-net'] },
  { family: 'aws-sdk-ruby', class: 'sdk', needles: ['aws-sdk-ruby'] },
  { family: 'aws-sdk-php', class: 'sdk', needles: ['aws-sdk-php'] },
  { family: 'aws-sdk-rust', class: 'sdk', needles: ['aws-sdk-rust', 'rusoto'] },
  { family: 'aws-sdk-cpp', class: 'sdk', needles: ['aws-sdk-cpp'] },
  { family: 'aws-sdk-python', class: 'sdk', needles: ['aws-sdk-python'] },
  { family: 'aws-sdk-swift', class: 'sdk', needles: ['aws-sdk-swift'] },
  { family: 'aws-sdk-kotlin', class: 'sdk', needles: ['aws-sdk-kotlin'] },
  { family: 'curl', class: 'http-library', needles: ['curl/'] },
  { family: 'wget', class: 'http-library', needles: ['wget/'] },
  { family: 'python-requests', class: 'http-library', needles: ['python-requests/'] },
  { family: 'python-urllib', class: 'http-library', needles: ['python-urllib/', 'urllib3/'] },
  { family: 'python-httplib2', class: 'http-library', needles: ['python-httplib2/'] },
  { family: 'python-aiohttp', class: 'http-library', needles: ['aiohttp/'] },
  { family: 'python-httpx', class: 'http-library', needles: ['python-httpx/'] },
  { family: 'go-http-client', class: 'http-library', needles: ['go-http-client/'] },
  { family: 'okhttp', class: 'http-library', needles: ['okhttp/'] },
  { family: 'apache-httpclient', class: 'http-library', needles: ['apache-httpclient/'] },
  { family: 'java-http-client', class: 'http-library', needles: ['java-http-client/', 'java/'] },
  { family: 'axios', class: 'http-library', needles: ['axios/'] },
  { family: 'node-fetch', class: 'http-library', needles: ['node-fetch', 'undici'] },
  { family: 'postman', class: 'http-library', needles: ['postmanruntime/'] },
  { family: 'insomnia', class: 'http-library', needles: ['insomnia/'] },
  { family: 'powershell', class: 'http-library', needles: ['windowspowershell/', 'powershell/'] },
];

/** Browser engines, checked only for agents that look like a browser (`Mozilla/…`, WebKit, Gecko). */
const BROWSER_RULES: readonly Rule[] = [
  { family: 'edge', class: 'browser', needles: [' edg/', ' edge/', ' edga/', ' edgios/'] },
  { family: 'opera', class: 'browser', needles: [' opr/', 'opera/'] },
  { family: 'firefox', class: 'browser', needles: ['firefox/', 'fxios/'] },
  { family: 'chrome', class: 'browser', needles: ['chrome/', 'crios/', 'chromium/'] },
  { family: 'safari', class: 'browser', needles: ['safari/'] },
];

function firstMatch(ua: string, rules: readonly Rule[]): UserAgentInfo | undefined {
  for (const rule of rules) {
    for (const needle of rule.needles) {
      if (ua.includes(needle)) return { family: rule.family, class: rule.class };
    }
  }
  return undefined;
}

/** Classify without the cache (exported for tests and for building contracts). */
export function classifyUserAgentUncached(userAgent: string | undefined): UserAgentInfo {
  if (userAgent === undefined) return { family: NO_USER_AGENT_FAMILY, class: 'unknown' };
  const ua = userAgent.trim().toLowerCase();
  if (ua.length === 0 || ua === '-') return { family: NO_USER_AGENT_FAMILY, class: 'unknown' };
  const offensive = OFFENSIVE_TOOL.exec(ua);
  if (offensive !== null) {
    const tool = offensive[1] ?? 'offensive-tool';
    return {
      family: tool === 'scout suite' ? 'scoutsuite' : tool === 'zgrab2' ? 'zgrab' : tool,
      class: 'offensive-tool',
    };
  }
  const tool = firstMatch(ua, RULES);
  if (tool !== undefined) return tool;
  // A bare AWS service name as user agent (`lambda.amazonaws.com`): the service acted itself.
  if (ua.endsWith('.amazonaws.com') && ua.indexOf(' ') < 0)
    return { family: 'aws-service', class: 'aws-internal' };
  if (ua.startsWith('mozilla') || ua.includes('applewebkit') || ua.includes('gecko/')) {
    return firstMatch(ua, BROWSER_RULES) ?? { family: 'browser', class: 'browser' };
  }
  return { family: OTHER_USER_AGENT_FAMILY, class: 'unknown' };
}

const CACHE_LIMIT = 1024;
const cache = new Map<string, UserAgentInfo>();

/** Classify a user agent (memoised, bounded to {@link CACHE_LIMIT} distinct strings). */
export function classifyUserAgent(userAgent: string | undefined): UserAgentInfo {
  if (userAgent === undefined) return classifyUserAgentUncached(undefined);
  const hit = cache.get(userAgent);
  if (hit !== undefined) return hit;
  const info = classifyUserAgentUncached(userAgent);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(userAgent, info);
  return info;
}
