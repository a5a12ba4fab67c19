;; warden diff regression: validation|warden=malformed,binaryen=valid|malformed section id|in section 1
;; explained by peer rule binaryen-108-skips-unknown-sections (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7d\70\02\00\01")
  "malformed section id")
