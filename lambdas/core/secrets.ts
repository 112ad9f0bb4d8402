/**
 * Secret scrubbing of attacker-controlled text. A caller can put a credential anywhere it
 * chooses — a bearer token in its User-Agent, a signed URL's query string in the request path, a
 * JWT as a role-session name — and whatever nhi-watch copies verbatim it would then store in the
 * baseline table, log, e-mail over SNS and import into Security Hub. Every secret-shaped substring
 * is replaced by `[redacted:<kind>:<fingerprint>]`: the kind says what was there, the fingerprint
 * (first 8 hex digits of its SHA-256) lets an analyst tell two secrets apart, or match one they
 * already hold, without the value itself. Deterministic, so baseline keys and finding ids stay
 * stable; idempotent, so scrubbing scrubbed text changes nothing.
 *
 * Applied where events are made (every normalised event goes through {@link scrubEvent}, so no
 * baseline ever learns a secret) and once more where findings are rendered ({@link scrubFinding}
 * in the SNS, ASFF and CLI renderers), as a last line.
 */
import { createHash } from 'node:crypto';

import type { Finding } from './finding.js';
import type { IdentityEvent } from './identity-event.js';

/** What a redaction marker says was there. */
export type SecretKind =
  'jwt' | 'bearer' | 'basic' | 'query' | 'aws-key' | 'aws-sts' | 'github' | 'slack' | 'pem';

/** Marker of a redacted secret: `[redacted:jwt:1a2b3c4d]`. */
export const redactionMarker = (kind: SecretKind, secret: string): string =>
  `[redacted:${kind}:${createHash('sha256').update(secret).digest('hex').slice(0, 8)}]`;

// Characters a token value is made of (base64, base64url, hex, and the RFC 6750 token68 set).
const TOKEN = 'A-Za-z0-9._~+/=-';
// A value in a query string or key=value text ends at a separator; `[` is excluded so that a
// marker (`token=[redacted:…]`) is never redacted again.
const VALUE = `[^\\s&"'<>#;,\\[\\]()]{1,4096}`;
// Names whose value is a secret: anything that says token, secret, password, api / access key,
// signature, credential or auth (access_token, client_secret, api_key, X-Amz-Signature,
// X-Amz-Credential, X-Amz-Security-Token, passwd, Authorization, …). Marker kinds avoid these
// words, so a marker is never mistaken for a named secret.
const STRONG_NAME =
  '[A-Za-z0-9_.-]{0,40}(?:token|secret|passw(?:or)?d|pwd|api[_-]?key|apikey|access[_-]?key|signature|credential|auth|session[_-]?id)[A-Za-z0-9_.-]{0,20}';
// Short names that are secrets only as a query parameter (`?sig=…`, `?key=…`, `?code=…`).
const QUERY_NAME = `${STRONG_NAME}|sig|key|code|jwt`;

interface Pattern {
  readonly kind: SecretKind;
  readonly re: RegExp;
  /** Group holding the secret; the groups before it are kept. @default the whole match */
  readonly group?: number;
}

// Each pattern starts only at a boundary of its character run (a lookbehind), which keeps every
// scan linear even on a long run of token characters.
const PATTERNS: readonly Pattern[] = [
  {
    kind: 'pem',
    re: /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,8192}?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|$)/g,
  },
  // JWT / JWS / JWE: base64url JSON header `{"…` (eyJ), then at least one more dot-separated part.
  { kind: 'jwt', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){1,4}/g },
  // Authorization schemes followed by their credential.
  { kind: 'bearer', re: new RegExp(`(?<![A-Za-z])(bearer)(\\s+|%20|\\+)([${TOKEN}]{6,})`, 'gi'), group: 3 },
  { kind: 'basic', re: new RegExp(`(?<![A-Za-z])(basic)(\\s+|%20|\\+)([A-Za-z0-9+/=]{6,})`, 'gi'), group: 3 },
  // name=value: query strings, form bodies, key=value text.
  { kind: 'query', re: new RegExp(`(?<![A-Za-z0-9_.-])(${QUERY_NAME})(=|%3[Dd])(${VALUE})`, 'gi'), group: 3 },
  // "name": "value" / name: value (JSON-ish text, headers) for the unambiguous names.
  {
    kind: 'query',
    re: new RegExp(`(?<![A-Za-z0-9_.:-])(${STRONG_NAME})("?\\s*:\\s*"?)(${VALUE})`, 'gi'),
    group: 3,
  },
  // AWS session tokens (STS): long base64 starting with the well-known encodings of their header.
  {
    kind: 'aws-sts',
    re: /(?<![A-Za-z0-9/+=])(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{20,}/g,
  },
  { kind: 'github', re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g },
  { kind: 'slack', re: /(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,}/g },
  // AWS secret access key: exactly 40 base64 characters with upper, lower case and a digit (a
  // hex digest, lower case only, is not one) and at most two slashes (a path is not one).
  {
    kind: 'aws-key',
    re: /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[0-9])(?![A-Za-z0-9+]{0,39}\/[A-Za-z0-9+]{0,39}\/[A-Za-z0-9+]{0,39}\/)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
  },
];

// Cheap test first: text without any of these words, and without a run of 40 base64 characters,
// cannot hold a secret the patterns find. The run is counted by a loop: as a regular-expression
// alternative it made this test three times slower on ordinary text.
const MAYBE_WORDS =
  /eyJ|bearer|basic|token|secret|pass|pwd|key|sig|credential|auth|session|code|jwt|IQoJ|FwoG|FQoG|gh[pousr]_|github_pat_|xox[abposr]-/i;

/** Whether `text` has 40 consecutive characters of `[A-Za-z0-9/+]`. */
function hasBase64Run40(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const isBase64 =
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 47 || c === 43;
    if (!isBase64) run = 0;
    else if (++run >= 40) return true;
  }
  return false;
}

const maybeSecret = (text: string): boolean => MAYBE_WORDS.test(text) || hasBase64Run40(text);

/** Replace every secret-shaped substring of `text` by its redaction marker. Never throws. */
export function scrubSecrets(text: string): string {
  if (!maybeSecret(text)) return text;
  let out = text;
  for (const { kind, re, group } of PATTERNS) {
    out = out.replace(re, (...args: unknown[]) => {
      const match = args[0] as string;
      if (group === undefined) return redactionMarker(kind, match);
      const secret = args[group] as string;
      if (secret.startsWith('[redacted:')) return match;
      const prefix = (args.slice(1, group) as (string | undefined)[]).join('');
      return `${prefix}${redactionMarker(kind, secret)}`;
    });
  }
  return out;
}

/** Whether `text` still holds a secret-shaped substring. */
export const hasSecret = (text: string): boolean => scrubSecrets(text) !== text;

/**
 * The event with every attacker-chosen text scrubbed: identity names and keys, session name,
 * client id, issuer, credential id, user agent, action (an API path), resource, target role,
 * error code, scopes, event id. Returns the same object when nothing held a secret.
 */
export const scrubEvent = (e: IdentityEvent): IdentityEvent => scrubEventWith(e, scrubSecrets);

/** Texts longer than this are scanned every time by an {@link eventScrubber} (rare; keeps its memory small). */
const MEMO_MAX_TEXT = 512;
/** Distinct texts an {@link eventScrubber} remembers before it starts over. */
const MEMO_MAX_ENTRIES = 4096;

/**
 * {@link scrubEvent} for the events of one delivery: the same output, but each distinct text is
 * scanned once. A delivery repeats its identity keys, names, user agents, actions and resources
 * hundreds of times, and the scan is the costly part of scrubbing. The memory is the scrubber's
 * own (make one per delivery or stream) and bounded; event ids, unique per event, are not kept.
 */
export function eventScrubber(): (e: IdentityEvent) => IdentityEvent {
  const memo = new Map<string, string>();
  const scrub = (text: string): string => {
    if (text.length > MEMO_MAX_TEXT) return scrubSecrets(text);
    let out = memo.get(text);
    if (out === undefined) {
      out = scrubSecrets(text);
      if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
      memo.set(text, out);
    }
    return out;
  };
  return (e) => scrubEventWith(e, scrub, scrubSecrets);
}

function scrubEventWith(
  e: IdentityEvent,
  scrub: (text: string) => string,
  scrubId: (text: string) => string = scrub,
): IdentityEvent {
  const { identity: i, credential: c, origin: o, action: a, outcome: r } = e;
  const differs = (t: string | undefined): boolean => t !== undefined && scrub(t) !== t;
  const isClean =
    scrubId(e.eventId) === e.eventId &&
    !differs(i.key) &&
    !differs(i.principal) &&
    !differs(i.name) &&
    !differs(i.sessionName) &&
    !differs(i.clientId) &&
    !differs(i.issuer) &&
    !differs(c.id) &&
    !differs(o.userAgent) &&
    !differs(o.ip) &&
    !differs(a.name) &&
    !differs(a.resource) &&
    !differs(a.targetRoleArn) &&
    !differs(r.errorCode) &&
    !(r.scopes ?? []).some(differs);
  if (isClean) return e;
  const scrubOptional = (t: string | undefined): string | undefined =>
    t === undefined ? undefined : scrub(t);
  return withDefined<IdentityEvent>({
    ...e,
    eventId: scrubId(e.eventId),
    identity: withDefined<IdentityEvent['identity']>({
      ...i,
      key: scrub(i.key),
      principal: scrubOptional(i.principal),
      name: scrubOptional(i.name),
      sessionName: scrubOptional(i.sessionName),
      clientId: scrubOptional(i.clientId),
      issuer: scrubOptional(i.issuer),
    }),
    credential: withDefined<IdentityEvent['credential']>({ ...c, id: scrubOptional(c.id) }),
    origin: withDefined<IdentityEvent['origin']>({
      ...o,
      userAgent: scrubOptional(o.userAgent),
      ip: scrubOptional(o.ip),
    }),
    action: withDefined<IdentityEvent['action']>({
      ...a,
      name: scrub(a.name),
      resource: scrubOptional(a.resource),
      targetRoleArn: scrubOptional(a.targetRoleArn),
    }),
    outcome: withDefined<IdentityEvent['outcome']>({
      ...r,
      errorCode: scrubOptional(r.errorCode),
      ...(r.scopes !== undefined ? { scopes: r.scopes.map(scrub) } : {}),
    }),
  });
}

/**
 * The finding with every text scrubbed (the last line before SNS, ASFF and the CLI; findings
 * are made from scrubbed events, so this normally returns the same object). The id is a hash
 * and is kept.
 */
export function scrubFinding(f: Finding): Finding {
  let changed = false;
  const s = (t: string): string => {
    const out = scrubSecrets(t);
    if (out !== t) changed = true;
    return out;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) {
    if (k === 'id') out[k] = v;
    else if (typeof v === 'string') out[k] = s(v);
    else if (Array.isArray(v)) out[k] = v.map((x: unknown) => (typeof x === 'string' ? s(x) : x));
    else out[k] = v;
  }
  return changed ? (out as unknown as Finding) : f;
}

/** Drop keys whose value is undefined (exactOptionalPropertyTypes: absent, not undefined). */
function withDefined<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o as T;
}
