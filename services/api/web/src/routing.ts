/** The portal's hash routes (#/devices, #/lake/dataset?zone=raw, #/shop/th-aria-2), read without a DOM. */

export function parseHash(hash: string): { path: string; params: URLSearchParams } {
  const route = hash.replace(/^#/, '') || '/';
  const queryAt = route.indexOf('?');
  return queryAt === -1
    ? { path: route, params: new URLSearchParams() }
    : { path: route.slice(0, queryAt), params: new URLSearchParams(route.slice(queryAt + 1)) };
}

/**
 * The entry whose path is `path`, else the first whose pattern matches it, with the segments its
 * ':name' parts took (decoded): '/shop/:productId' takes '/shop/th-aria-2' as { productId: 'th-aria-2' }.
 */
export function matchRoute<Entry extends { path: string }>(
  entries: readonly Entry[],
  path: string,
): { entry: Entry; params: Record<string, string> } | undefined {
  const exact = entries.find((entry) => entry.path === path);
  if (exact !== undefined) return { entry: exact, params: {} };
  const segments = path.split('/');
  for (const entry of entries) {
    const pattern = entry.path.split('/');
    if (!pattern.some((part) => part.startsWith(':')) || pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      if (!part.startsWith(':')) return part === segment;
      const value = decoded(segment);
      if (value === undefined || value === '') return false;
      params[part.slice(1)] = value;
      return true;
    });
    if (matches) return { entry, params };
  }
  return undefined;
}

/** A malformed escape ('%E0%A4%A') matches nothing rather than throwing. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
