/**
 * Federated subjects (OIDC `sub`, SAML NameID, Cognito identity, Roles Anywhere certificate) as
 * first-class identities: the raw subject, the provider, and the *pattern* a baseline learns it by.
 * The pattern drops what changes routinely (a GitHub ref, a Terraform run phase, a Cognito end
 * user) and keeps what a trust policy is meant to pin (repository, service account, workspace,
 * identity pool, SAML issuer), so a new branch is not a new subject but a new repository is.
 * Pure string work on attacker-influenced text: everything is capped, nothing throws.
 */
import type { FederatedSubject, FederationKind } from '../identity-event.js';
import { capped } from './fields.js';

const MAX_TEXT = 256;

/** `arn:aws:iam::123:oidc-provider/token.actions.githubusercontent.com` or `https://host/path` → `host/path`. */
export function providerHost(provider: string): string {
  let p = provider;
  const marker = ':oidc-provider/';
  const at = p.indexOf(marker);
  if (p.startsWith('arn:') && at > 0) p = p.slice(at + marker.length);
  if (p.startsWith('https://')) p = p.slice('https://'.length);
  while (p.endsWith('/')) p = p.slice(0, -1);
  return capped(p, MAX_TEXT);
}

const GITHUB = 'token.actions.githubusercontent.com';

/** Key/value pairs of a colon-separated claim (`repo:org/app:ref:refs/heads/main`), first value per key. */
function claimPairs(sub: string, keys: readonly string[]): Map<string, string> {
  // Values may contain colons (refs never do, but environments and custom claims might): split on known keys.
  const out = new Map<string, string>();
  const parts = sub.split(':');
  let key: string | undefined;
  let value: string[] = [];
  const flush = (): void => {
    if (key !== undefined && !out.has(key)) out.set(key, value.join(':'));
  };
  for (const part of parts) {
    if (keys.includes(part) && (key === undefined || value.length > 0)) {
      flush();
      key = part;
      value = [];
    } else {
      value.push(part);
    }
  }
  flush();
  return out;
}

interface Shape {
  readonly pattern: string;
  readonly owner: string;
  readonly label: string;
}

/** GitHub Actions: `repo:<owner>/<repo>:<context>`; context is a ref, an environment or `pull_request`. */
function github(sub: string): Shape | undefined {
  const pairs = claimPairs(sub, [
    'repo',
    'ref',
    'environment',
    'pull_request',
    'job_workflow_ref',
    'repository_owner',
    'repository_owner_id',
    'repository_id',
    'context',
  ]);
  const repo = pairs.get('repo');
  if (repo === undefined || repo === '') return undefined;
  const owner = repo.slice(0, Math.max(0, repo.indexOf('/'))) || repo;
  const ref = pairs.get('ref');
  const environment = pairs.get('environment');
  const context =
    environment !== undefined
      ? ` in environment ${environment}`
      : ref !== undefined
        ? ` on ${ref}`
        : pairs.has('pull_request')
          ? ' on a pull request'
          : '';
  return { pattern: `repo:${repo}`, owner: `owner:${owner}`, label: `repository ${repo}${context} via GitHub OIDC` };
}

/** EKS IRSA: `system:serviceaccount:<namespace>:<name>`, provider `oidc.eks.<region>.amazonaws.com/id/<cluster>`. */
function eks(sub: string, host: string): Shape | undefined {
  const m = /^system:serviceaccount:([^:]+):(.+)$/.exec(sub);
  if (m === null) return undefined;
  const cluster = host.includes('/id/') ? host.slice(host.lastIndexOf('/') + 1) : host;
  return {
    pattern: `sa:${m[1]}/${m[2]}`,
    owner: `ns:${m[1]}`,
    label: `service account ${m[1]}/${m[2]} of cluster ${cluster}`,
  };
}

/** GitLab CI: `project_path:<group>/<project>:ref_type:branch:ref:<ref>`. */
function gitlab(sub: string): Shape | undefined {
  const pairs = claimPairs(sub, ['project_path', 'ref_type', 'ref', 'environment']);
  const project = pairs.get('project_path');
  if (project === undefined || project === '') return undefined;
  const group = project.slice(0, Math.max(0, project.lastIndexOf('/'))) || project;
  const ref = pairs.get('ref');
  return {
    pattern: `project:${project}`,
    owner: `group:${group}`,
    label: `project ${project}${ref !== undefined ? ` on ${ref}` : ''} via GitLab OIDC`,
  };
}

/** Terraform Cloud: `organization:<org>:project:<p>:workspace:<w>:run_phase:<plan|apply>`. */
function terraformCloud(sub: string): Shape | undefined {
  const pairs = claimPairs(sub, ['organization', 'project', 'workspace', 'run_phase']);
  const org = pairs.get('organization');
  const workspace = pairs.get('workspace');
  if (org === undefined || workspace === undefined) return undefined;
  const project = pairs.get('project') ?? 'default';
  return {
    pattern: `workspace:${org}/${project}/${workspace}`,
    owner: `org:${org}`,
    label: `workspace ${org}/${project}/${workspace}${pairs.has('run_phase') ? ` (${pairs.get('run_phase')})` : ''} via Terraform Cloud`,
  };
}

/** The subject of a web-identity token, with its pattern and label. */
function webIdentityShape(sub: string, host: string): Shape {
  if (host === GITHUB || sub.startsWith('repo:')) {
    const g = github(sub);
    if (g) return g;
  }
  if (host.startsWith('oidc.eks.') || sub.startsWith('system:serviceaccount:')) {
    const e = eks(sub, host);
    if (e) return e;
  }
  if (sub.startsWith('project_path:')) {
    const g = gitlab(sub);
    if (g) return g;
  }
  if (sub.startsWith('organization:')) {
    const t = terraformCloud(sub);
    if (t) return t;
  }
  return { pattern: `sub:${sub}`, owner: `provider`, label: `subject ${sub} of ${host}` };
}

/** Build a {@link FederatedSubject}; `provider` and `subject` as logged (capped here). */
export function federatedSubject(
  kind: FederationKind,
  provider: string,
  subject: string,
  audience?: string,
): FederatedSubject {
  const host = kind === 'web-identity' ? providerHost(provider) : capped(provider, MAX_TEXT);
  const sub = capped(subject, MAX_TEXT);
  let shape: Shape;
  switch (kind) {
    case 'web-identity':
      // Cognito's own tokens (enhanced flow): one subject per end user; the pool is what is pinned.
      shape =
        host === 'cognito-identity.amazonaws.com'
          ? {
              pattern: `pool:${audience ?? 'unknown'}`,
              owner: 'cognito',
              label: `Cognito identity ${sub}${audience !== undefined ? ` of pool ${audience}` : ''}`,
            }
          : webIdentityShape(sub, host);
      break;
    case 'saml':
      // One NameID per person: the issuer is what a SAML trust pins.
      shape = { pattern: `issuer:${host}`, owner: `issuer:${host}`, label: `SAML user ${sub} from ${host}` };
      break;
    case 'cognito':
      shape = {
        pattern: `pool:${audience ?? 'unknown'}`,
        owner: 'cognito',
        label: `Cognito identity ${sub}${audience !== undefined ? ` of pool ${audience}` : ''}`,
      };
      break;
    case 'x509':
      shape = { pattern: `cert:${sub}`, owner: `anchor:${host}`, label: `certificate ${sub} via IAM Roles Anywhere` };
      break;
  }
  const out: { -readonly [K in keyof FederatedSubject]: FederatedSubject[K] } = {
    kind,
    provider: host,
    subject: sub,
    pattern: capped(`${host}|${shape.pattern}`, 2 * MAX_TEXT),
    owner: capped(`${host}|${shape.owner}`, 2 * MAX_TEXT),
    label: capped(shape.label, 2 * MAX_TEXT),
  };
  if (audience !== undefined) out.audience = capped(audience, MAX_TEXT);
  return out;
}
