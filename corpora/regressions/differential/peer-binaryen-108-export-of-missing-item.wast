;; warden diff regression: validation|warden=invalid,binaryen=valid|type mismatch|at end
;; explained by peer rule binaryen-108-export-of-missing-item (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\07\05\01\01\66\02\00\0a\0d\01\0b\00\44\02"
    "\00\00\00\00\00\00\66\0b")
  "type mismatch")
