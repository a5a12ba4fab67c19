;; warden diff regression: validation|warden=invalid,binaryen=valid|type mismatch|at return
;; explained by peer rule binaryen-108-pops-across-block-boundary (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\06\01\60\01\7d\01\7f\03\02\01\00\0a\0c\01\0a\00\41\00\41\00\04\40\0f"
    "\0b\0b")
  "type mismatch")
