/**
 * The one glob engine of nhi-watch: rules, contracts (identity patterns, actions, scopes, user
 * agents), suppressions, configuration checks and the CLI all match globs here.
 *
 * Semantics, stated once:
 * - a glob matches the WHOLE text (anchored at both ends);
 * - `*` matches any run of characters, the empty run included; `?` exactly one (one UTF-16 code unit);
 * - line breaks are characters like any other: `*` and `?` match them (observed values are attacker
 *   text, and a newline must not change whether a pattern covers a value);
 * - every other character matches itself; there are no escapes or character classes;
 * - case-sensitive unless the caller asks otherwise (user-agent patterns do).
 *
 * No RegExp is built: matching runs on every event, so it is allocation-free and linear-ish
 * (greedy with one backtrack point: O(n·m) worst case, no catastrophic backtracking).
 */

/** Whether `text` matches `glob` in full (see the module comment for the semantics). */
export function matchesGlob(glob: string, text: string, isCaseInsensitive = false): boolean {
  const g = isCaseInsensitive ? glob.toLowerCase() : glob;
  const t = isCaseInsensitive ? text.toLowerCase() : text;
  let gi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const c = g.charCodeAt(gi);
    if (gi < g.length && c !== 42 /* * */ && (c === 63 /* ? */ || c === t.charCodeAt(ti))) {
      gi += 1;
      ti += 1;
    } else if (gi < g.length && c === 42) {
      star = gi;
      gi += 1;
      mark = ti;
    } else if (star !== -1) {
      gi = star + 1;
      mark += 1;
      ti = mark;
    } else {
      return false;
    }
  }
  while (gi < g.length && g.charCodeAt(gi) === 42) gi += 1;
  return gi === g.length;
}

/** The first glob of `globs` that `text` matches, or undefined. */
export function firstMatchingGlob(
  globs: readonly string[],
  text: string,
  isCaseInsensitive = false,
): string | undefined {
  for (const g of globs) if (matchesGlob(g, text, isCaseInsensitive)) return g;
  return undefined;
}

/** A glob compiled once for repeated tests (suppressions, contract identity patterns, CLI selections). */
export interface Glob {
  /** The glob as written. */
  readonly source: string;
  /** Whether `text` matches the glob in full. */
  test(text: string): boolean;
}

/** `glob` as a reusable matcher with the semantics of {@link matchesGlob}. */
export function compileGlob(glob: string, isCaseInsensitive = false): Glob {
  const g = isCaseInsensitive ? glob.toLowerCase() : glob;
  return { source: glob, test: (text) => matchesGlob(g, isCaseInsensitive ? text.toLowerCase() : text) };
}
