import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The portal is served by Partnerline itself at /, beside its APIs; `npm run dev:portal` proxies them.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    proxy: Object.fromEntries(['/api', '/aff_c', '/aff_lsr', '/t', '/doc'].map((path) => [path, process.env.PARTNERLINE_URL ?? 'http://localhost:8080'])),
  },
});
