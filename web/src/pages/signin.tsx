// Sign-in: POST /api/v1/session sets the HttpOnly session cookie. A signer's account also needs
// the TOTP code; the service answers every failure with one message (it does not say which part
// was wrong), so the code field is always offered, marked optional.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { t } from '../i18n';
import { ErrorBox } from '../errors';

export function SignIn({ onSignedIn, expired }: { onSignedIn: () => void; expired: boolean }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailed(false);
    setError(null);
    try {
      await api.signIn(user.trim(), password, totp.trim() || undefined);
      onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) setFailed(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card signin" aria-labelledby="signin-title">
      <h1 id="signin-title">{t('signin_title')}</h1>
      <p class="lead">{t('signin_lead')}</p>
      {expired && !failed && <p class="alert alert-info" role="status">{t('signin_expired')}</p>}
      {failed && <p class="alert alert-error" role="alert" data-testid="signin-failed">{t('signin_failed')}</p>}
      <ErrorBox error={error} />
      <form onSubmit={submit} class="form">
        <label>
          <span>{t('signin_user')}</span>
          <input name="user" autocomplete="username" autocapitalize="none" spellcheck={false} required
            value={user} onInput={(e) => setUser((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          <span>{t('signin_password')}</span>
          <input name="password" type="password" autocomplete="current-password" required
            value={password} onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          <span>{t('signin_totp')}</span>
          <input name="totp" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxLength={6}
            aria-describedby="totp-hint"
            value={totp} onInput={(e) => setTotp((e.currentTarget as HTMLInputElement).value)} />
          <small id="totp-hint">{t('signin_totp_hint')}</small>
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>{t('signin_submit')}</button>
      </form>
    </section>
  );
}
