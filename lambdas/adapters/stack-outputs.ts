/**
 * A deployed nhi-watch stack's outputs (CloudFormation DescribeStacks), so the CLI can be pointed at a
 * stack by name instead of copying its table name and topic ARN: `--stack NhiWatch`.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describeError } from './retry.js';

/** The stack cannot be found, or does not have the output asked for. */
export class StackLookupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackLookupError';
  }
}

/** The stack's outputs by key. */
export async function stackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<Map<string, string>> {
  let out;
  try {
    out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    throw new StackLookupError(`cannot describe stack ${stackName}: ${describeError(error)}`, {
      cause: error,
    });
  }
  const stack = out.Stacks?.[0];
  if (stack === undefined) throw new StackLookupError(`stack ${stackName} not found`);
  const outputs = new Map<string, string>();
  for (const o of stack.Outputs ?? [])
    if (o.OutputKey !== undefined && o.OutputValue !== undefined) outputs.set(o.OutputKey, o.OutputValue);
  return outputs;
}

/** One output of a stack, or a message naming the stack and the outputs it has. */
export function requiredOutput(outputs: ReadonlyMap<string, string>, stackName: string, key: string): string {
  const value = outputs.get(key);
  if (value === undefined || value === '')
    throw new StackLookupError(
      `stack ${stackName} has no output ${key} (outputs: ${[...outputs.keys()].sort().join(', ') || 'none'}); is it an nhi-watch stack?`,
    );
  return value;
}
