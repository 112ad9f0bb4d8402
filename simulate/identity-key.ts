/**
 * The simulator's one place for baseline identity keys, so labels and contracts name identities the
 * same way the normalisers will (and can be aligned with them by changing this function only).
 */

/** What the simulator knows about an identity, by kind. */
export type IdentityRef =
  | { readonly kind: 'iam-role'; readonly accountId: string; readonly name: string }
  | { readonly kind: 'iam-user'; readonly accountId: string; readonly name: string }
  | { readonly kind: 'aws-service'; readonly service: string }
  | {
      readonly kind: 'api-client';
      readonly apiId: string;
      /** How the client authenticates: a JWT issuer URL, or `api-key`, `mtls`, `iam`. */
      readonly issuerOrAuthType: string;
      /** client_id, API key id, certificate serial or IAM principal ARN. */
      readonly id: string;
    };

/**
 * Baseline key of an identity: `aws:<account>:role/<name>`, `aws:<account>:user/<name>`,
 * `aws:service:<service>`, `api:<apiId>:<issuer-or-authtype>:<id>`.
 */
export const identityKeyHint = (ref: IdentityRef): string => {
  switch (ref.kind) {
    case 'iam-role':
      return `aws:${ref.accountId}:role/${ref.name}`;
    case 'iam-user':
      return `aws:${ref.accountId}:user/${ref.name}`;
    case 'aws-service':
      return `aws:service:${ref.service}`;
    case 'api-client':
      // The API Gateway normaliser keys JWT clients on the issuer without its scheme.
      return `api:${ref.apiId}:${ref.issuerOrAuthType.replace(/^https?:\/\//, '')}:${ref.id}`;
  }
};
