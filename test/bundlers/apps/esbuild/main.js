import { main } from '../shared/app.js';

main('esbuild');
