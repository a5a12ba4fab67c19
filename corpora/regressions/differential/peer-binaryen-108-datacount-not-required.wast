;; warden diff regression: validation|warden=malformed,binaryen=valid|data count section required|in section 10
;; explained by peer rule binaryen-108-datacount-not-required (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\05\03\01\00\00\0a\07\01\05\00\fc\09\00\0b"
    "\0b\03\01\01\00")
  "data count section required")
