import { main } from '../shared/app.js';

main('plain');
