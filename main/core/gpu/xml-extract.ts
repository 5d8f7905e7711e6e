// A small, tolerant extractor for the few tags Siesta reads from `nvidia-smi -q -x` (no XML dependency).

/** Decodes the five predefined XML entities and numeric character references. */
export function decodeXmlText(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The inner text of every `<tag ...>...</tag>` element directly or indirectly inside `xml`, in
 * document order. Elements of the same name nested in each other are matched to their own
 * closing tags. Self-closing `<tag/>` gives an empty string.
 */
export function elements(xml: string, tag: string): string[] {
  const open = new RegExp(`<${tag}(?:\\s[^>]*?)?(/?)>|</${tag}\\s*>`, 'g');
  const found: string[] = [];
  let depth = 0;
  let start = 0;
  for (let match = open.exec(xml); match; match = open.exec(xml)) {
    const isClose = match[0].startsWith('</');
    if (!isClose && match[1] === '/') {
      if (depth === 0) found.push('');
      continue;
    }
    if (!isClose) {
      if (depth === 0) start = match.index + match[0].length;
      depth++;
      continue;
    }
    if (depth === 0) continue;
    depth--;
    if (depth === 0) found.push(xml.slice(start, match.index));
  }
  return found;
}

/** The trimmed, decoded text of the first element at `path` (e.g. `['fb_memory_usage', 'used']`), or null. */
export function textAt(xml: string, path: readonly string[]): string | null {
  let scope: string | undefined = xml;
  for (const tag of path) {
    scope = elements(scope, tag)[0];
    if (scope === undefined) return null;
  }
  return decodeXmlText(scope.trim());
}

/** The value of `attribute` on the first `<tag ...>` in `xml`, or null. */
export function attributeOf(xml: string, tag: string, attribute: string): string | null {
  const match = new RegExp(`<${tag}\\s[^>]*\\b${attribute}="([^"]*)"`).exec(xml);
  return match?.[1] === undefined ? null : decodeXmlText(match[1]);
}
