import { html } from 'src/common/html/html';
import { layout } from 'src/common/html/layout';
import { SCOPE_DESCRIPTIONS } from 'src/oauth/oauth.constants';

export interface ConnectedApp {
  clientId: string;
  /** null when the client no longer exists. */
  clientName: string | null;
  disabled: boolean;
  scopes: string[];
  grantedAt: Date;
  lastUsedAt: Date | null;
}

export interface AccountAppsPageModel {
  username: string;
  csrfToken: string;
  apps: ConnectedApp[];
}

/*
 * The markup is written as the other pages are (login, consent): plain HTML5 void elements, which
 * the e2e helpers parse. prettier-ignore keeps Prettier's embedded-HTML formatting out of it.
 */

/** "2026-01-01 12:34 UTC": the same for every reader, whatever their locale. */
function when(date: Date) {
  const iso = date.toISOString();
  // prettier-ignore
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

function appSection(app: ConnectedApp, csrfToken: string) {
  const name = app.clientName ?? 'Unknown application';
  // prettier-ignore
  return html`<section class="app" data-client-id="${app.clientId}">
<h2>${name}${app.disabled ? html` <span class="muted">(disabled)</span>` : ''}</h2>
<p class="muted">Client ID: <code>${app.clientId}</code></p>
<p>It can:</p>
<ul class="scopes">${app.scopes.map(
    (s) => html`<li><strong>${SCOPE_DESCRIPTIONS[s] ?? s}</strong> <span class="muted">(<code>${s}</code>)</span></li>`,
  )}</ul>
<p class="muted">Allowed ${when(app.grantedAt)} · Last used ${app.lastUsedAt ? when(app.lastUsedAt) : 'never'}</p>
<form method="post" action="/account/apps/revoke">
  <input type="hidden" name="csrf_token" value="${csrfToken}">
  <input type="hidden" name="client_id" value="${app.clientId}">
  <div class="actions"><button type="submit" aria-label="Revoke access for ${name}">Revoke access</button></div>
</form>
</section>`;
}

/** The person's connected apps: what each may do, when it was allowed and last used, and Revoke. */
export function accountAppsPage(m: AccountAppsPageModel): string {
  // prettier-ignore
  const body = html`<h1>Connected apps</h1>
<p class="muted">Signed in as ${m.username}</p>
${
  m.apps.length === 0
    ? html`<p>No applications have access to your account.</p>`
    : html`<p>These applications can use your account. Revoking access signs the application out at once; it has to ask you again.</p>
${m.apps.map((app) => appSection(app, m.csrfToken))}`
}
<form method="post" action="/logout">
  <input type="hidden" name="csrf_token" value="${m.csrfToken}">
  <div class="actions"><button type="submit" class="secondary">Sign out</button></div>
</form>
<form method="post" action="/account/sessions/revoke">
  <input type="hidden" name="csrf_token" value="${m.csrfToken}">
  <p class="muted">Signed in on another device, or left a browser signed in somewhere? This ends every session of your account, this one too. Connected apps keep their access; revoke them above.</p>
  <div class="actions"><button type="submit" class="secondary">Sign out everywhere</button></div>
</form>`;
  return layout('Connected apps', body);
}
