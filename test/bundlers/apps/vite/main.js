import { main } from '../shared/app.js';

main('vite');
