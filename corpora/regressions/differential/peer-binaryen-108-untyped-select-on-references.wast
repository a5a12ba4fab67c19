;; warden diff regression: validation|warden=invalid,binaryen=valid|type mismatch|at select
;; explained by peer rule binaryen-108-untyped-select-on-references (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\01\6f\00\03\02\01\00\0a\0b\01\09\00\20\00\20\00\41\01\1b\0b")
  "type mismatch")
