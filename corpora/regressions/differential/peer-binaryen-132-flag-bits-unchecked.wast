;; warden diff regression: validation|warden=malformed,binaryen-npm=valid|integer too large|in section 5
;; explained by peer rule binaryen-132-flag-bits-unchecked (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\05\03\01\40\01")
  "integer too large")
