;; warden diff regression: validation|warden=malformed,binaryen-npm=valid|data count and data section have inconsistent le|in section 12
;; explained by peer rule binaryen-132-datacount-without-data-section (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\0c\01\03")
  "data count and data section have inconsistent lengths")
