// An audit of a dashboard page against its own Content-Security-Policy, for the tests of every page
// flavour (VS Code panel, 127.0.0.1 server, static export): the policy allows nothing remote, no
// 'unsafe-eval'/'unsafe-inline' (only 'wasm-unsafe-eval' may appear, where RDKit's wasm runs), and a
// nonce for scripts; every executable <script> carries that nonce; no inline event handler, no
// javascript: URL, and no element loads from an origin the policy does not name. Returns the
// problems found (empty: the page passes), so a test can also show that a bad page fails.

export interface CspAuditOptions {
  /** The policy when it comes as an HTTP header; else the page's <meta http-equiv> is read. */
  header?: string;
  /** Origins the page may load from besides data:/blob: (a webview's cspSource; 'self' for the server). */
  allowedOrigins?: readonly string[];
}

const EXECUTABLE_TYPES = new Set(['', 'text/javascript', 'application/javascript', 'module']);

function directives(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/** The page's markup without the bodies of inert data blocks (JSON/text), which are not HTML. */
function markupOf(html: string): string {
  return html.replace(/(<script\b[^>]*>)([\s\S]*?)(<\/script>)/gi, (all, open: string, _body: string, close: string) => {
    const type = (attr(open, 'type') ?? '').toLowerCase();
    return EXECUTABLE_TYPES.has(type) ? all : `${open}${close}`;
  });
}

export function auditDashboardPage(html: string, o: CspAuditOptions = {}): string[] {
  const problems: string[] = [];
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1]?.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
  const policy = o.header ?? meta;
  if (!policy) return ['no Content-Security-Policy (neither a header nor a <meta http-equiv>)'];
  const d = directives(policy);
  const allowed = new Set(["'none'", "'self'", 'data:', 'blob:', "'wasm-unsafe-eval'", ...(o.allowedOrigins ?? [])]);
  if (d.get('default-src')?.join(' ') !== "'none'") problems.push(`default-src is "${d.get('default-src')?.join(' ') ?? '(missing)'}", not 'none'`);
  const nonces = new Set<string>();
  for (const [name, values] of d) {
    for (const v of values) {
      if (/^'nonce-[A-Za-z0-9+/_=-]+'$/.test(v)) {
        nonces.add(v.slice(7, -1));
        continue;
      }
      if (v === "'unsafe-eval'" || v === "'unsafe-inline'" || v === "'unsafe-hashes'") problems.push(`${name} allows ${v}`);
      else if (!allowed.has(v)) problems.push(`${name} allows ${v}, a source this page must not load from`);
    }
  }
  const scriptSrc = d.get('script-src') ?? d.get('default-src') ?? [];
  if (!scriptSrc.some((v) => v.startsWith("'nonce-"))) problems.push('script-src has no nonce');
  if (nonces.size > 1) problems.push(`more than one nonce (${nonces.size})`);

  const markup = markupOf(html);
  for (const m of markup.matchAll(/<script\b[^>]*>/gi)) {
    const tag = m[0];
    if (!EXECUTABLE_TYPES.has((attr(tag, 'type') ?? '').toLowerCase())) continue;
    const nonce = attr(tag, 'nonce');
    if (!nonce || !nonces.has(nonce)) problems.push(`a script without the policy's nonce: ${tag.slice(0, 120)}`);
  }
  for (const m of markup.matchAll(/<[a-z][^>]*\son[a-z]+\s*=/gi)) problems.push(`an inline event handler: ${m[0].slice(0, 120)}`);
  for (const m of markup.matchAll(/<([a-z][a-z0-9-]*)\b[^>]*>/gi)) {
    for (const name of ['src', 'href', 'action', 'formaction', 'poster', 'data']) {
      const url = attr(m[0], name);
      if (url === undefined) continue;
      if (/^\s*javascript:/i.test(url)) problems.push(`a javascript: URL in <${m[1]} ${name}>`);
      else if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^(data|blob):/i.test(url)) {
        const origin = /^([a-z][a-z0-9+.-]*:\/\/[^/]+)/i.exec(url)?.[1] ?? url;
        const ok = [...(o.allowedOrigins ?? [])].some((a) => a === origin || (a.includes('*') && new RegExp(`^${a.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}$`).test(origin)));
        if (!ok) problems.push(`<${m[1]} ${name}="${url.slice(0, 80)}"> loads from ${origin}, which the page may not`);
      }
    }
  }
  return problems;
}
