;; warden diff regression: validation|warden=malformed,binaryen=valid|unexpected content after last section|in section 5
;; explained by peer rule binaryen-108-section-order-not-checked (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7b\05\03\01\00\01\03\02\01\00\0a\0a\01\08\00\41\00\fd"
    "\00\04\00\0b\0b\1a\01\00\41\00\0b\14\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\00\01\02\03")
  "unexpected content after last section")
