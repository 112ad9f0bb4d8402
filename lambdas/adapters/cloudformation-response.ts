/** What a custom resource reports back to CloudFormation. */
export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  /** Shown in the stack events; CloudFormation truncates it at 4 KB. */
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Readonly<Record<string, string | number>>;
}

/** Raised when the response could not be delivered; CloudFormation would otherwise wait an hour. */
export class CloudFormationResponseError extends Error {
  override readonly name = 'CloudFormationResponseError';
}

/**
 * Delivers a custom-resource response to its pre-signed S3 URL (an HTTP PUT with an empty content type,
 * as the signature expects). The fetch implementation is injectable for tests.
 */
export const sendCloudFormationResponse = async (
  responseUrl: string,
  response: CloudFormationResponse,
  fetchImpl: typeof fetch = fetch,
): Promise<void> => {
  const body = JSON.stringify({ ...response, Reason: response.Reason.slice(0, 3500) });
  let status: number;
  try {
    const reply = await fetchImpl(responseUrl, {
      method: 'PUT',
      body,
      headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
    });
    status = reply.status;
    await reply.arrayBuffer();
  } catch (cause) {
    throw new CloudFormationResponseError('sending the CloudFormation response failed', { cause });
  }
  if (status < 200 || status >= 300) {
    throw new CloudFormationResponseError(`CloudFormation response URL answered HTTP ${status}`);
  }
};
