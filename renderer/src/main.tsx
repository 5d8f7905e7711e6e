// The renderer's entry: mounts the React app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { config as zodConfig } from 'zod';
import { App } from './app';
import './styles.css';

// zod compiles parsers with `new Function` when it can; the dashboard's CSP (no 'unsafe-eval') forbids it, so skip the attempt.
zodConfig({ jitless: true });

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
