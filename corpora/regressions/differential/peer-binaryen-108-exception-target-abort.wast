;; warden diff regression: crash|load|binaryen|signal N: wasm-opt: ./src/wasm/wasm-binary.cpp:N:
;; explained by peer rule binaryen-108-exception-target-abort (Warden behaves as below)
;; Found by `warden diff --time 150s --seed 9151` (a mutated module of 1,935
;; bytes); this is the module reduced by hand: (func block rethrow 0 end), and
;; the same with `block try delegate 0 end`. Binaryen 108 aborts on both.
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\09\01\07\00\02\40\09\00\0b\0b")
  "illegal opcode")
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\0b\01\09\00\02\40\06\40\18\00\0b\0b")
  "illegal opcode")
