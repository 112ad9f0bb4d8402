import { chainOriginKey, describeChain, originKind } from '../chains.js';
import type { ChainHop } from '../identity-event.js';
import { describeOrigin, iso } from './evidence.js';
import { list, type DetectionRule, type Severity } from './rule.js';

/**
 * A temporary key used from a place it was not issued to. The issuance link says where the key
 * was handed out (an EC2 instance's credentials by `ec2.amazonaws.com`, a CI runner's
 * AssumeRoleWithWebIdentity from its network, an AssumeRole from a server); a call with the key
 * from outside AWS when it was issued inside, or from another network when it was issued outside,
 * is the key copied — and the finding names whose credential it was (the chain).
 */
export const chainReplay: DetectionRule = {
  id: 'chain-replay',
  title: 'Issued session key used away from where it was issued',
  severity: 'HIGH',
  asffTypes: ['TTPs/Credential Access', 'Unusual Behaviors/Network Flow'],
  references: [
    'OWASP-NHI:NHI2',
    'NIST-CSF-2.0:DE.CM-01',
    'NIST-CSF-2.0:DE.AE-03',
    'MITRE:T1550.001',
    'MITRE:T1552.005',
  ],
  falsePositives: [
    'A session handed on to a tool on another network on purpose (credentials exported from a CI job to a developer machine).',
    'Clients whose egress alternates between providers (dual-ISP offices) after assuming a role through one of them.',
    'ECS Anywhere and EKS hybrid nodes: task / pod credentials issued by an AWS service to hardware outside AWS (remove the service from insideAwsServices where they run).',
  ],
  runbook:
    'Revoke the role’s sessions issued before now (IAM “Revoke active sessions”), find where the key left its workload (instance metadata exposure, CI logs, a leaked environment), and review every call made with it from the foreign origin; the chain in the finding names the workload it was issued to.',
  defaults: {
    /**
     * AWS services whose issued credentials live inside AWS compute: their keys used from outside
     * AWS are copied. Services that issue to workloads outside AWS (Roles Anywhere, Cognito,
     * IAM Identity Center) are not listed.
     */
    insideAwsServices: [
      'ec2.amazonaws.com',
      'lambda.amazonaws.com',
      'ecs-tasks.amazonaws.com',
      'pods.eks.amazonaws.com',
      'codebuild.amazonaws.com',
      'glue.amazonaws.com',
      'sagemaker.amazonaws.com',
      'batch.amazonaws.com',
      'tasks.apprunner.amazonaws.com',
      'elasticmapreduce.amazonaws.com',
      'states.amazonaws.com',
    ],
  },
  needsLearning: false,
  detect: (event, ctx) => {
    const chain = event.chain;
    const hop: ChainHop | undefined = chain?.hops[chain.hops.length - 1];
    if (chain === undefined || hop === undefined || hop.accessKeyId !== event.credential.id) return undefined;
    if (hop.from === undefined || hop.fromKind === undefined) return undefined;
    // Only direct calls from an address outside AWS are judged; an AWS service acting for the caller is not "from" anywhere.
    if (originKind(event) !== 'outside') return undefined;
    const usedFrom = chainOriginKey(event);
    if (usedFrom === hop.from || usedFrom.startsWith('raw:')) return undefined;

    let severity: Severity;
    let why: string;
    switch (hop.fromKind) {
      case 'aws-service': {
        const service = hop.from.slice('svc:'.length);
        if (!list(ctx.thresholds, 'insideAwsServices').includes(service)) return undefined;
        severity = 'HIGH';
        why = `issued by ${service} to a workload inside AWS, used from outside AWS`;
        break;
      }
      case 'aws-network':
        severity = 'HIGH';
        why = `issued to a caller inside AWS (${hop.from}), used from outside AWS`;
        break;
      case 'private':
        // A VPC endpoint or a private link from on-premises: hybrid networks can egress elsewhere.
        severity = 'MEDIUM';
        why = `issued to a caller on a private network (${hop.from}), used from outside AWS`;
        break;
      case 'outside':
        if (hop.from.startsWith('raw:')) return undefined;
        severity = 'MEDIUM';
        why = `issued to a caller on ${hop.from}, used from another network (${usedFrom})`;
        break;
      default:
        return undefined;
    }
    const key = hop.accessKeyId;
    const identity = event.identity.name ?? event.identity.key;
    return {
      discriminator: `key:${key}`,
      summary: `${key} of ${identity}, issued to ${chain.root.label}, used from ${usedFrom}: ${why}`,
      evidence: [
        `chain: ${describeChain(chain)}`,
        `${hop.api} at ${iso(hop.atMs)} from ${hop.from} handed out ${key}`,
        `${why}; this call from ${describeOrigin(event)}`,
      ],
      severity,
    };
  },
};
