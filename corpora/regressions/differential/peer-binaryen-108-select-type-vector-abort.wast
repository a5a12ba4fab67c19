;; warden diff regression: crash|load|binaryen|signal N: wasm-opt: ./src/wasm-type.h:N: void wa
;; explained by peer rule binaryen-108-select-type-vector-abort (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\0e\01\0c\00\41\00\41\00\41\00\1c\01\00"
    "\1a\0b")
  "malformed value type")
