;; warden diff regression: validation|warden=invalid,wabt=valid|type mismatch|at f32.neg
;; explained by peer rule wabt-1.0.32-typed-select-result-unchecked (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\0f\01\0d\00\41\01\41\02\41\00\1c\01\7f"
    "\8c\1a\0b")
  "type mismatch")
