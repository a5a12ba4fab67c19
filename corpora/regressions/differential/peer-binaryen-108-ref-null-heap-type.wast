;; warden diff regression: validation|warden=malformed,binaryen=valid|malformed reference type|in section 10
;; explained by peer rule binaryen-108-ref-null-heap-type (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\07\01\05\00\d0\00\1a\0b")
  "malformed reference type")
