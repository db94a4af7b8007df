import { main } from '../common/app.js';

main('vite');
