import { html } from 'src/common/html/html';
import { layout } from 'src/common/html/layout';

export interface LoginPageModel {
  csrfToken: string;
  returnTo: string;
  username?: string;
  error?: string;
  clientName?: string;
}

/** The sign-in form. Works without JavaScript; every value is escaped by `html`. */
export function loginPage(m: LoginPageModel): string {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
${m.clientName ? html`<p class="muted">to continue to <strong>${m.clientName}</strong></p>` : ''}
${m.error ? html`<p class="error" role="alert">${m.error}</p>` : ''}
<form method="post" action="/login" autocomplete="on">
  <input type="hidden" name="csrf_token" value="${m.csrfToken}">
  <input type="hidden" name="return_to" value="${m.returnTo}">
  <label for="username">Username</label>
  <input type="text" id="username" name="username" value="${m.username ?? ''}" autocomplete="username" required autofocus maxlength="128">
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required maxlength="256">
  <div class="actions"><button type="submit">Sign in</button></div>
</form>`,
  );
}
