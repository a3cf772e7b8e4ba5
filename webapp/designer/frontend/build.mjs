// Bundles the designer's browser code (webapp/designer/frontend) with esbuild into
// webapp/designer/static/designer/build/, where Django's app static finder serves it.
// The output is built, never committed: `npm run build` after `npm ci`.
//   node webapp/designer/frontend/build.mjs          one minified build
//   node webapp/designer/frontend/build.mjs --watch  rebuild on change (development)
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const watch = process.argv.includes('--watch');

const options = {
  absWorkingDir: path.resolve(here, '../../..'),
  entryPoints: {
    designer: path.join(here, 'designer.js'), // the editor page: modeler, properties, lint, files
    list: path.join(here, 'list.js') // the designer's home page: flows and drafts
  },
  outdir: path.resolve(here, '../static/designer/build'),
  bundle: true,
  format: 'iife',
  target: ['es2020'],
  minify: !watch,
  sourcemap: true,
  legalComments: 'linked',
  jsx: 'automatic',
  jsxImportSource: '@bpmn-io/properties-panel/preact',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  define: { 'process.env.NODE_ENV': watch ? '"development"' : '"production"' },
  logLevel: 'info'
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  fs.rmSync(options.outdir, { recursive: true, force: true }); // no stale assets of earlier builds
  await esbuild.build(options);
}
