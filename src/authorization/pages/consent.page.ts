import { html } from 'src/common/html/html';
import { layout } from 'src/common/html/layout';
import { SCOPE_DESCRIPTIONS } from 'src/oauth/oauth.constants';

export interface ConsentPageModel {
  clientName: string;
  clientId: string;
  /** Registered by an administrator; else self-registered (DCR) or self-published (CIMD). */
  vetted: boolean;
  /** For a CIMD client: the host that published its metadata document. */
  metadataHost: string | null;
  redirectHost: string;
  localhostOnly: boolean;
  scopes: string[];
  resource: string;
  username: string;
  csrfToken: string;
  /** The authorization request, replayed to POST /consent and validated again there. */
  hidden: Record<string, string>;
}

/*
 * "<app> wants to…": who asks, where you will be sent, what it may do, approve or deny. A client
 * nobody vetted is introduced by the host it returns to, the one fact this server checks; the
 * name it gave itself is quoted as a claim (docs/security.md §11.5, docs/mcp.md §1 item 15).
 */
export function consentPage(m: ConsentPageModel): string {
  const who = m.vetted
    ? html`<h1>Allow <strong>${m.clientName}</strong> to access your account?</h1>
<p class="muted">Signed in as ${m.username}</p>
<p>After you decide, you will be sent to <strong>${m.redirectHost}</strong>.</p>`
    : html`<h1>Allow an application at <strong>${m.redirectHost}</strong> to access your account?</h1>
<p class="muted">Signed in as ${m.username}</p>
<p class="warn"><strong>Unverified application.</strong> It calls itself <strong>“${m.clientName}”</strong>, but ${
        m.metadataHost
          ? html`that name comes from a description published at <strong>${m.metadataHost}</strong>`
          : 'anyone can register an application under any name'
      }: this server has not checked it. Continue only if you started this from an application you trust, and expect to return to <strong>${m.redirectHost}</strong>.</p>`;
  return layout(
    'Authorize access',
    html`${who}
${
  m.localhostOnly
    ? html`<p class="warn">This application runs on your own computer (it returns to ${m.redirectHost}). Only continue if you started it yourself.</p>`
    : ''
}
<p>It will be able to:</p>
<ul class="scopes">${m.scopes.map(
      (s) => html`<li><strong>${SCOPE_DESCRIPTIONS[s] ?? s}</strong> <span class="muted">(<code>${s}</code>)</span></li>`,
    )}</ul>
<p class="muted">for the resource <code>${m.resource}</code>. Client ID: <code>${m.clientId}</code></p>
<form method="post" action="/consent">
  <input type="hidden" name="csrf_token" value="${m.csrfToken}">
  ${Object.entries(m.hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
  <div class="actions">
    <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
    <button type="submit" name="decision" value="approve">Allow</button>
  </div>
</form>`,
  );
}
