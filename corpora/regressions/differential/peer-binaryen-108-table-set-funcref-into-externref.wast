;; warden diff regression: validation|warden=invalid,binaryen=valid|type mismatch|at table.set
;; explained by peer rule binaryen-108-table-set-funcref-into-externref (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\10\03\60\03\7d\7c\7d\00\60\01\7e\00\60\02\7c\7c\00\03\02\01\00\04\05"
    "\01\6f\01\04\22\05\04\01\01\02\02\0a\0f\01\0d\00\02\6f\3f\00\d0\70\26\00\d0\6f\0b\0b")
  "type mismatch")
