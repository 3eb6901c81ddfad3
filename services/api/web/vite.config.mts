import { defineConfig } from 'vite';

// The portal is static files: CloudFront serves them from S3 in AWS, the local cloud's front door
// locally. Both serve /config.json beside them, so nothing about the environment is built in.
// The root is this folder: `npx vite build services/api/web`, or startFrontDoor's build.
// biome-ignore lint/style/noDefaultExport: Vite reads its configuration from the default export.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One script and one stylesheet, both linked from index.html: no preload polyfill needed.
    modulePreload: { polyfill: false },
  },
});
