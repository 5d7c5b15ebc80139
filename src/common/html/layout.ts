import { html, SafeHtml, trusted } from './html';

const STYLES = trusted(`
:root{color-scheme:light dark;--fg:#1d2330;--muted:#5b6475;--bg:#f4f6fa;--card:#fff;--line:#dde2ea;--accent:#2f5bea;--danger:#c62e2e}
@media (prefers-color-scheme:dark){:root{--fg:#e8ebf2;--muted:#9aa3b5;--bg:#12151c;--card:#1b1f29;--line:#2c3240;--accent:#7a9bff;--danger:#ff7a7a}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:28rem;margin:8vh auto;padding:2rem;background:var(--card);border:1px solid var(--line);border-radius:12px}
h1{font-size:1.35rem;margin:0 0 1rem}p{margin:.5rem 0}.muted{color:var(--muted);font-size:.9rem}
label{display:block;margin:.9rem 0 .3rem;font-weight:600}input[type=text],input[type=password]{width:100%;padding:.6rem .7rem;border:1px solid var(--line);border-radius:8px;font:inherit;background:transparent;color:inherit}
button{font:inherit;padding:.6rem 1.1rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:transparent;color:var(--fg);border-color:var(--line)}.actions{display:flex;gap:.6rem;margin-top:1.4rem;justify-content:flex-end}
.error{color:var(--danger);font-weight:600}.warn{border-left:4px solid var(--danger);padding:.4rem .8rem;margin:.8rem 0}
ul.scopes{padding-left:1.1rem}ul.scopes li{margin:.3rem 0}code{font-size:.9em}table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:.4rem;border-bottom:1px solid var(--line)}
`);

/** The page frame shared by login, consent, account and error pages. No scripts. */
export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${STYLES}</style>
</head>
<body><main>${body}</main></body>
</html>
`.toString();
}

/** A readable error page: what went wrong and what the person can do. */
export function errorPage(title: string, message: string, code?: string): string {
  return layout(
    title,
    html`<h1>${title}</h1><p class="error">${message}</p>${
      code ? html`<p class="muted">Error code: <code>${code}</code></p>` : ''
    }<p class="muted">You can close this window and try again from the application.</p>`,
  );
}

export type { SafeHtml };
