;; warden diff regression: validation|warden=invalid,binaryen=valid|unknown memory N|in section 7
;; explained by peer rule binaryen-108-export-of-missing-item (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\07\05\01\01\61\02\00")
  "unknown memory 0")
