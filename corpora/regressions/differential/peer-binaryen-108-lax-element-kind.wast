;; warden diff regression: validation|warden=malformed,binaryen=valid|malformed element kind|in section 9
;; explained by peer rule binaryen-108-lax-element-kind (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\09\04\01\03\01\00")
  "malformed element kind")
