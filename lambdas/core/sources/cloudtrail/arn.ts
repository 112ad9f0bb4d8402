/** ARN pieces CloudTrail identities and actions are keyed on. */

/** `arn:aws:iam::123456789012:role/path/name` → `{ partition, account, resource }`. */
export function splitArn(
  arn: string | undefined,
): { partition: string; account: string; resource: string } | undefined {
  if (arn === undefined || !arn.startsWith('arn:')) return undefined;
  // arn:partition:service:region:account:resource — the resource may itself contain ':'.
  const c1 = 3;
  const c2 = arn.indexOf(':', c1 + 1);
  const c3 = c2 < 0 ? -1 : arn.indexOf(':', c2 + 1);
  const c4 = c3 < 0 ? -1 : arn.indexOf(':', c3 + 1);
  const c5 = c4 < 0 ? -1 : arn.indexOf(':', c4 + 1);
  if (c5 < 0) return undefined;
  return {
    partition: c2 > c1 + 1 ? arn.slice(c1 + 1, c2) : 'aws',
    account: arn.slice(c4 + 1, c5),
    resource: arn.slice(c5 + 1),
  };
}

export function lastSegment(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}
/** Role name + account from a role ARN (`…:role/path/Name`), if it is one. */
export function roleFromArn(
  arn: string | undefined,
): { name: string; account: string; partition: string } | undefined {
  const parsed = splitArn(arn);
  if (parsed === undefined || !parsed.resource.startsWith('role/')) return undefined;
  const name = lastSegment(parsed.resource);
  return name.length > 0
    ? { name, account: parsed.account.length > 0 ? parsed.account : 'unknown', partition: parsed.partition }
    : undefined;
}
