#!/usr/bin/env python3
"""Independent float64 reference values for Tests/SearchTests (printed, pasted by hand).

- SplitMix64 outputs and the (seed, stream) derivation used by RandomSampler;
- the first RandomSampler point on a small space;
- a two-kernel Parzen mixture density (scipy's truncnorm).
Usage: python3 scripts/reference/search_reference.py
"""
import math

from scipy.stats import truncnorm

MASK = 2**64 - 1


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SplitMix64:
    def __init__(self, seed, stream=None):
        if stream is None:
            self.state = seed & MASK
        else:
            mixer = SplitMix64(seed ^ 0x6A09E667F3BCC909)
            self.state = mixer.next() ^ mix((stream + 0x9E3779B97F4A7C15) & MASK)

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        return mix(self.state)

    def unit(self):
        return (self.next() >> 11) * 2.0**-53


g = SplitMix64(0)
print("SplitMix64(seed: 0):", [hex(g.next()) for _ in range(3)])

# RandomSampler(seed: 42), trial 7, space [uniform x in [-5, 10], logUniform lr in [1e-4, 1e-1],
# integer n in 1...8, categorical opt in ["sgd", "adam", "lion"]].
g = SplitMix64(42, 7)
u = [g.unit() for _ in range(4)]
print("units:", [repr(x) for x in u])
x = -5 + u[0] * 15
lr = math.exp(math.log(1e-4) + u[1] * (math.log(1e-1) - math.log(1e-4)))
n = 1 + math.floor(u[2] * 8)
opt = ["sgd", "adam", "lion"][int(u[3] * 3)]
print("point:", repr(x), repr(lr), n, opt)

# Parzen mixture on [0, 1] with one observation at 0.5: kernels N(0.5, 0.5) and the
# prior N(0.5, 1), both truncated to [0, 1], weights 1/2 each; density at 0.5 and 0.9.
def tn_pdf(x, mu, sigma, low, high):
    return truncnorm.pdf(x, (low - mu) / sigma, (high - mu) / sigma, loc=mu, scale=sigma)

for x in (0.5, 0.9):
    density = 0.5 * tn_pdf(x, 0.5, 0.5, 0, 1) + 0.5 * tn_pdf(x, 0.5, 1.0, 0, 1)
    print(f"mixture density at {x}: {density!r}, log {math.log(density)!r}")

# Integer axis 1...5 (bins of width 1, truncation [0.5, 5.5]), kernel N(2, 3.5): mass of 4.
mass = (truncnorm.cdf(4.5, (0.5 - 2) / 3.5, (5.5 - 2) / 3.5, loc=2, scale=3.5)
        - truncnorm.cdf(3.5, (0.5 - 2) / 3.5, (5.5 - 2) / 3.5, loc=2, scale=3.5))
print("discrete kernel mass at 4:", repr(mass))
