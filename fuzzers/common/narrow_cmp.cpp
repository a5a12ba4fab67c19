// No-op callbacks for 1- and 2-byte comparisons, linked in place of
// libFuzzer's through --wrap (fuzzers/CMakeLists.txt). libFuzzer 14 records
// such comparisons in its value profile alone, which it reads only under
// -use_value_profile=1; its table of recent comparisons, which guides
// mutations, takes 4- and 8-byte operands only. Every comparison of a byte
// the decoder reads called one of these. Build with
// WARDEN_FUZZ_VALUE_PROFILE=ON to keep libFuzzer's callbacks.
#include <cstdint>

// Not instrumented themselves: a coverage counter here would count every
// call.
#define WARDEN_NOT_COVERED __attribute__((no_sanitize("coverage")))

extern "C" {
WARDEN_NOT_COVERED void __wrap___sanitizer_cov_trace_cmp1(uint8_t, uint8_t) {}
WARDEN_NOT_COVERED void __wrap___sanitizer_cov_trace_cmp2(uint16_t, uint16_t) {}
WARDEN_NOT_COVERED void __wrap___sanitizer_cov_trace_const_cmp1(uint8_t, uint8_t) {}
WARDEN_NOT_COVERED void __wrap___sanitizer_cov_trace_const_cmp2(uint16_t, uint16_t) {}
}
