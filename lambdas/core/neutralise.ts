/**
 * Neutralising attacker-controlled text (user agents, request paths, session names, resource
 * names) before it reaches a human: an e-mail alert, a terminal table, a ticket. Whatever comes in,
 * what goes out is one line, bounded, free of terminal escapes and invisible characters, with no
 * link a mail client would make clickable and no HTML tag a renderer would act on.
 */

/** Options of {@link neutralise}. */
export interface NeutraliseOptions {
  /**
   * Printable ASCII only (0x20–0x7E): for SNS subjects and other ASCII-only fields. Other
   * characters become `?`; the ellipsis becomes `...`.
   * @default false
   */
  readonly ascii?: boolean;
}

// Terminal escape sequences: CSI (ESC [ … final, or the one-byte C1 CSI), OSC (ESC ] … BEL / ST),
// DCS / SOS / PM / APC strings (ESC P|X|^|_ … ST) and the two-byte ESC sequences.
const ANSI =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[ -/]*[0-~]/g;
// C0 and C1 controls, DEL, line / paragraph separators, bidi controls, zero-width and other
// invisible formatting characters: shown as visible escapes instead of acting on the display.
// Lone surrogates and the noncharacters U+FFFE / U+FFFF are not valid in UTF-8 text or XML (SNS).
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
// `scheme://`: http(s) and ftp get the customary hxxp / fxp; any other scheme loses its colon.
// Found by scanning for `://` and looking back, which stays linear on long letter runs (a
// `[a-z]+://` regex backtracks quadratically there).
const SCHEME_TAIL = /(?:https?|ftp)$/i;
// Host names: dot-separated labels ending in an alphabetic (or punycode) top-level label. The
// ideographic and full-width full stops count as dots because browsers treat them so.
const DOT = '[.\u3002\uff0e\uff61]';
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const HOST = new RegExp(
  `(?<![\\p{L}\\p{N}_-])(?:${LABEL}${DOT})+(?:\\p{L}{2,63}|xn--[a-z0-9-]{1,59})(?![\\p{L}\\p{N}_-])`,
  'giu',
);
const DOTS = new RegExp(DOT, 'g');

/** Visible escape of one invisible character: `\n`, `\x1b`, `\u202e`. */
function escapeChar(c: string): string {
  const named = NAMED_ESCAPES[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Every `://`: a preceding `http` / `https` / `ftp` becomes `hxxp` / `hxxps` / `fxp` (even glued
 * to other letters, as linkifiers match it anywhere); any other scheme loses its colon (`x[:]//`).
 */
function defangSchemes(s: string): string {
  let out = '';
  let from = 0;
  for (let at = s.indexOf('://'); at !== -1; at = s.indexOf('://', at + 3)) {
    const before = s.slice(from, at);
    const tail = SCHEME_TAIL.exec(before.slice(-5));
    if (tail) {
      const lower = tail[0].toLowerCase();
      out +=
        before.slice(0, before.length - lower.length) +
        (lower === 'ftp' ? 'fxp://' : `hxxp${lower.slice(4)}://`);
    } else {
      out += `${before}[:]//`;
    }
    from = at + 3;
  }
  return out + s.slice(from);
}

/**
 * Make attacker-controlled text safe to show: terminal escapes removed; control, bidi and
 * zero-width characters shown as visible escapes (`\r\n` cannot start a new header or line);
 * URL schemes and host names defanged (`hxxp://evil[.]example`) so mail clients do not linkify
 * them; `<` and `>` replaced so no HTML tag can form; capped at `max` characters (code points)
 * with an ellipsis. Never throws; `undefined` and `null` become `''`.
 */
export function neutralise(
  text: string | number | boolean | null | undefined,
  max: number,
  opts: NeutraliseOptions = {},
): string {
  if (text === undefined || text === null) return '';
  const limit = Math.max(1, Math.floor(max));
  // Bound the work on huge inputs: escapes can shrink the text (ANSI) but never below this.
  let s = String(text);
  if (s.length > limit * 4 + 64) s = s.slice(0, limit * 4 + 64);
  s = s.replace(ANSI, '').replace(INVISIBLE, escapeChar);
  s =
    opts.ascii === true
      ? s.replace(/</g, '(').replace(/>/g, ')')
      : s.replace(/</g, '\u2039').replace(/>/g, '\u203a');
  s = defangSchemes(s).replace(HOST, (host) => host.replace(DOTS, '[.]'));
  if (opts.ascii === true) s = s.replace(/[^\x20-\x7e]/gu, '?');
  return truncate(s, limit, opts.ascii === true ? '...' : '\u2026');
}

/** Cap a string at `max` code points (never splitting a surrogate pair), ending with `ellipsis` when cut. */
export function truncate(s: string, max: number, ellipsis = '\u2026'): string {
  if (s.length <= max) return s;
  const points = Array.from(s);
  if (points.length <= max) return s;
  const keep = Math.max(0, max - Array.from(ellipsis).length);
  return points.slice(0, keep).join('') + ellipsis.slice(0, max);
}

/**
 * Lighter cleaning for machine-read fields (ASFF ProductFields, resource ids): terminal escapes
 * removed and invisible characters shown as escapes, capped at `max` — but no defanging, so ids,
 * ARNs and addresses stay exact.
 */
export function clean(text: string | number | boolean | null | undefined, max: number): string {
  if (text === undefined || text === null) return '';
  const limit = Math.max(1, Math.floor(max));
  let s = String(text);
  if (s.length > limit * 4 + 64) s = s.slice(0, limit * 4 + 64);
  return truncate(s.replace(ANSI, '').replace(INVISIBLE, escapeChar), limit);
}
