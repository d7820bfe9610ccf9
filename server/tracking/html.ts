// The href of an <a> element whose value is an http or https URL, quoted either way.
const LINK = /(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?:\/\/[^"'\s>]+)\2/gi;

function unescapeAttribute(value: string): string {
  return value.replace(/&amp;/g, '&');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/**
 * Adds open and click tracking to one recipient's HTML: each http(s) link goes through
 * `clickUrl`, and a 1x1 image from `openUrl` goes before `</body>` (or at the end). Other
 * links (mailto:, tel:, anchors) are left as they are.
 */
export function instrumentHtml(
  html: string,
  options: { openUrl?: string; clickUrl?: (url: string) => string },
): string {
  let out = html;
  if (options.clickUrl) {
    const rewrite = options.clickUrl;
    out = out.replace(LINK, (_all, start: string, quote: string, url: string) => {
      const tracked = rewrite(unescapeAttribute(url));
      return `${start}${quote}${escapeAttribute(tracked)}${quote}`;
    });
  }
  if (options.openUrl) {
    const pixel = `<img src="${escapeAttribute(options.openUrl)}" width="1" height="1" alt="" style="display:none">`;
    out = /<\/body>/i.test(out) ? out.replace(/<\/body>/i, `${pixel}</body>`) : `${out}${pixel}`;
  }
  return out;
}
