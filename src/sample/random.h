// A small pseudo-random generator with fully specified output, so the same
// seed writes the same sample bytes with every compiler and standard library.
// The std:: distributions are implementation-defined and cannot promise that.
#pragma once

#include <cstdint>

namespace stedi::sample {

// One step of SplitMix64: advances `state` and returns a well-mixed value.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A seed for an independent stream, derived from the run's seed, a stream
// number (one per kind of decision) and an index within it (such as a
// customer number). Regenerating a customer from its index needs no state.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t state = seed;
  uint64_t mixed = SplitMix64(state) ^ (stream * 0xd1342543de82ef95ULL);
  state = mixed;
  mixed = SplitMix64(state) ^ (index * 0x9e3779b97f4a7c15ULL);
  state = mixed;
  return SplitMix64(state);
}

// xoshiro256** by Blackman and Vigna, seeded through SplitMix64.
class Random {
 public:
  explicit Random(uint64_t seed) {
    for (uint64_t& word : state_) word = SplitMix64(seed);
  }

  uint64_t Next() {
    const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }

  // A value in [0, bound) by multiply-and-shift; the bias is below 2^-32 for
  // the bounds used here. Returns 0 when bound is 0.
  uint64_t Below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
  }

  // A value in [low, high], both inclusive.
  int64_t Between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Below(static_cast<uint64_t>(high - low) + 1));
  }

  // True with probability `p`.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

 private:
  static uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace stedi::sample
