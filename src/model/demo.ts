// The network the README's demo builds: a small CIFAR-sized CNN with seeded weights.
import { NetworkBuilder } from './builder.js';

/** The layer-builder demo: a small CIFAR-sized CNN with seeded weights. */
export function demoNetwork(): NetworkBuilder {
  return new NetworkBuilder({ seed: 7 })
    .input([1, 3, 32, 32])
    .conv({ filters: 16, kernel: 3, padding: 'same', activation: 'relu' })
    .maxPool({ kernel: 2 })
    .conv({ filters: 32, kernel: 3, padding: 'same' })
    .batchNorm()
    .relu()
    .maxPool({ kernel: 2 })
    .conv({ filters: 64, kernel: 3, padding: 1, activation: 'relu' })
    .globalAvgPool()
    .fc({ units: 10 })
    .softmax();
}
