/**
 * Glob matching without building a RegExp: rules and contracts test action names, user agents and
 * scopes against configured globs on every event, so matching must be allocation-free and cheap.
 * Same syntax as `globToRegExp` in contracts.ts: `*` any run of characters, `?` exactly one.
 */

/** Whether `text` matches `glob` in full (`*` any run, `?` one character). Greedy with one backtrack point: O(n·m) worst case, no blow-up. */
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
