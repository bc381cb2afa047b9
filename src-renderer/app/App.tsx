/**
 * The renderer's root: asks the station where the session stands, then shows the first-run form,
 * the login, a "cannot reach the station" page, or the signed-in shell.
 */
import { useEffect, type ReactNode } from 'react';
import '../styles/app.css';
import '../styles/responsive.css';
import { ErrorNotice } from '../components/ErrorNotice';
import { useSession } from '../stores/session-store';
import { LoginScreen } from './LoginScreen';
import { Shell } from './Shell';

/** The application. Mount it once into `#root`. */
export function App(): ReactNode {
  const status = useSession((s) => s.status);
  const error = useSession((s) => s.error);
  const init = useSession((s) => s.init);
  useEffect(() => {
    void init();
  }, [init]);

  switch (status) {
    case 'loading':
      return (
        <div className="login-wrap">
          <div className="login" aria-busy="true">
            Connecting to the station…
          </div>
        </div>
      );
    case 'unreachable':
      return (
        <div className="login-wrap">
          <div className="login">
            <ErrorNotice error={error} />
            <button type="button" className="btn" onClick={() => void init()} autoFocus>
              Try again
            </button>
          </div>
        </div>
      );
    case 'first-run':
      return <LoginScreen firstRun />;
    case 'login':
      return <LoginScreen firstRun={false} />;
    case 'ready':
      return <Shell />;
  }
}

export default App;
