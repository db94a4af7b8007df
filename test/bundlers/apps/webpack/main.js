import { main } from '../common/app.js';

main('webpack');
