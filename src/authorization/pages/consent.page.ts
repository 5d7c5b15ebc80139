import { html } from 'src/common/html/html';
import { layout } from 'src/common/html/layout';
import { SCOPE_DESCRIPTIONS } from 'src/oauth/oauth.constants';

export interface ConsentPageModel {
  clientName: string;
  clientId: string;
  redirectHost: string;
  localhostOnly: boolean;
  scopes: string[];
  resource: string;
  username: string;
  csrfToken: string;
  /** The authorization request, replayed to POST /consent and validated again there. */
  hidden: Record<string, string>;
}

/** "<app> wants to…": client name, where it will send you, what it may do, approve or deny. */
export function consentPage(m: ConsentPageModel): string {
  return layout(
    'Authorize access',
    html`<h1>Allow <strong>${m.clientName}</strong> to access your account?</h1>
<p class="muted">Signed in as ${m.username}</p>
<p>After you decide, you will be sent to <strong>${m.redirectHost}</strong>.</p>
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
