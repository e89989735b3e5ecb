// The application: a shell (who is signed in, navigation, language) around one screen chosen by
// the path. docs/web.md describes the screens.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, setUnauthenticatedHandler, type Me } from './api';
import { label, lang, setLang, t } from './i18n';
import { navigate, onLinkClick, useLocation } from './router';
import { SignIn } from './pages/signin';
import { ErrorBox } from './errors';
import { Worklist } from './pages/worklist';
import { DossierPage } from './pages/dossier';
import { Dashboard } from './pages/dashboard';
import { AuditDesk } from './pages/audit';
import { OutboxDesk } from './pages/outbox';
import { AccountPage } from './pages/account';
import { setConfig, type AppConfig } from './config';

function App() {
  const loc = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined); // undefined: not known yet
  const [, setLangTick] = useState(0);
  const [expired, setExpired] = useState(false);
  const signedIn = useRef(false);
  const firstPath = useRef(true);

  const [configError, setConfigError] = useState<unknown>(null);
  // Who is signed in, then the configuration the screens show (GET /api/v1/config): no screen
  // renders without it (nothing falls back to the sample's units or rules).
  const loadMe = () =>
    api.me().then(
      (r) =>
        api.config().then(
          (c) => {
            setConfig(c.data as AppConfig);
            setConfigError(null);
            signedIn.current = true;
            setMe(r.data);
          },
          (e) => {
            setConfigError(e);
            signedIn.current = true;
            setMe(r.data);
          },
        ),
      () => setMe(null),
    );

  useEffect(() => {
    document.documentElement.lang = lang();
    setUnauthenticatedHandler(() => {
      if (signedIn.current) setExpired(true); // a session that ended, not a first visit
      signedIn.current = false;
      setMe(null);
    });
    loadMe();
  }, []);

  useEffect(() => {
    document.title = t('app_name');
  });

  // A new screen: move the focus to the content (screen readers announce it), not on first load.
  useEffect(() => {
    if (firstPath.current) {
      firstPath.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [loc.path]);

  if (me === undefined) return <p class="loading">{t('loading')}</p>;

  if (me === null)
    return (
      <Shell me={null} onLang={() => setLangTick((n) => n + 1)}>
        <SignIn
          expired={expired}
          onSignedIn={() => {
            setExpired(false);
            loadMe(); // stays on the page that was asked for (a shared link works after signing in)
          }}
        />
      </Shell>
    );

  let page;
  const m = /^\/ho-so\/(.+)$/.exec(loc.path);
  if (configError) page = <ErrorBox error={configError} />;
  else if (loc.path === '/tai-khoan') page = <AccountPage />;
  else if (m) page = <DossierPage id={decodeURIComponent(m[1])} me={me} />;
  else if (loc.path === '/tong-quan') page = <Dashboard query={loc.query} />;
  else if (loc.path === '/kiem-tra') page = <AuditDesk />;
  else if (loc.path === '/van-hanh') page = <OutboxDesk query={loc.query} />;
  else page = <Worklist me={me} query={loc.query} />;

  return (
    <Shell me={me} onLang={() => setLangTick((n) => n + 1)} onSignOut={() => {
      api.signOut().finally(() => {
        signedIn.current = false;
        setMe(null);
        navigate('/', true);
      });
    }} path={loc.path}>
      {page}
    </Shell>
  );
}

function Shell(props: { me: Me | null; children: preact.ComponentChildren; onLang: () => void; onSignOut?: () => void; path?: string }) {
  const { me } = props;
  const nav = [
    { href: '/', key: 'nav_worklist' as const, active: props.path === '/' || props.path?.startsWith('/ho-so') },
    { href: '/tong-quan', key: 'nav_dashboard' as const, active: props.path === '/tong-quan' },
    { href: '/kiem-tra', key: 'nav_audit' as const, active: props.path === '/kiem-tra' },
    ...(me?.operator ? [{ href: '/van-hanh', key: 'nav_outbox' as const, active: props.path === '/van-hanh' }] : []),
    { href: '/tai-khoan', key: 'nav_account' as const, active: props.path === '/tai-khoan' },
  ];
  return (
    <>
      <a class="skip" href="#main">{t('skip_to_content')}</a>
      <header class="top">
        <div class="brand">
          <a href="/" onClick={onLinkClick}><img src="/favicon.svg" alt="" width="28" height="28" /> <span>{t('app_name')}</span></a>
        </div>
        {me && (
          <div class="who" data-testid="who">
            <span class="who-name">{me.name || me.user}</span>
            <span class="who-meta">{me.roles.map((r) => label('role', r)).join(', ')} · {me.unit}</span>
          </div>
        )}
        <div class="top-tools">
          <label class="lang">
            <span class="sr-only">{t('language')}</span>
            <select value={lang()} onChange={(e) => {
              setLang((e.currentTarget as HTMLSelectElement).value as 'vi' | 'en');
              props.onLang();
            }}>
              <option value="vi">{t('lang_vi')}</option>
              <option value="en">{t('lang_en')}</option>
            </select>
          </label>
          {me && props.onSignOut && <button type="button" class="btn btn-quiet" onClick={props.onSignOut}>{t('signout')}</button>}
        </div>
      </header>
      {me && (
        <nav class="nav" aria-label={t('nav_main')}>
          {nav.map((n) => (
            <a href={n.href} onClick={onLinkClick} aria-current={n.active ? 'page' : undefined}>{t(n.key)}</a>
          ))}
        </nav>
      )}
      <main id="main" tabIndex={-1}>{props.children}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
