// The renderer's entry: mounts the React app.
import { createRoot } from 'react-dom/client';

const root = document.getElementById('root');
if (root) createRoot(root).render(<p>Siesta</p>);
